"""The widget's fixed strings and date formats, per language.

Disclosure sentences are configurable: ``WIDGET_DISCLOSURE`` for English and
``WIDGET_DISCLOSURES`` (a JSON object, language to sentence) for any
language; the sentences below are the Associates programme's own wording.
Dates are ``str.format`` patterns over ``y m d H M`` so that no process
locale is involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Strings:
    heading: str  # {count} and {title}
    heading_one: str  # {title}
    by: str
    cover: str  # alt text; {title}
    disclosure: str
    footer: str  # {date}
    updating: str
    preparing: str
    unavailable: str  # the one neutral line of a box that cannot be shown
    prices_as_of: str  # the note under the list, marked "*"; {time}
    price_disclaimer: str
    date_format: str
    datetime_format: str
    view: str  # the button on each book; its name adds ": {title}"
    heading_new: str  # new releases: {count} and {title}
    heading_new_one: str  # {title}
    stars: str  # {rating} (as the language writes it)
    reviews: str  # {count}
    new: str  # the badge of a book that was not on the previous list
    moved: str  # read after "▲3" / "▼1": {places}
    saving: str = "\u2212{percent}\u202f%"  # what the price saves
    decimal_mark: str = "."
    thousands: str = ","
    time_format: str = "{H:02d}:{M:02d} UTC"
    #: Hand-picked and open-data lists: no ranking, covers not from Amazon.
    picks_heading: str = "{count} Recommended Books on {title}"  # {count} {title}
    picks_heading_one: str = "A Recommended Book on {title}"  # {title}
    open_footer: str = (
        "Last update on {date} / Affiliate links / Covers from Open Library"
    )


ENGLISH = Strings(
    heading="Today's {count} Most Popular Books on {title}",
    heading_one="Today's Most Popular Book on {title}",
    by="by",
    cover="Cover of {title}",
    disclosure="As an Amazon Associate we earn from qualifying purchases.",
    footer="Last update on {date} / Affiliate links / Images from Amazon",
    updating="This list is being updated; prices are hidden until then.",
    preparing="This list is being prepared. Please check back in a minute.",
    unavailable="This book list is not available.",
    prices_as_of="Prices as of {time}",
    price_disclaimer=(
        "Product prices and availability are accurate as of the date/time"
        " indicated and are subject to change. Any price and availability"
        " information displayed on Amazon at the time of purchase will apply"
        " to the purchase of this product."
    ),
    date_format="{y:04d}-{m:02d}-{d:02d}",
    datetime_format="{y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d} UTC",
    view="View on Amazon",
    heading_new="The {count} Newest Books on {title}",
    heading_new_one="The Newest Book on {title}",
    stars="{rating} out of 5 stars",
    reviews="{count} reviews",
    new="New",
    moved="places since the last list",
    saving="\u2212{percent}%",
)

GERMAN = Strings(
    heading="Die {count} beliebtesten Bücher heute: {title}",
    heading_one="Das beliebteste Buch heute: {title}",
    by="von",
    cover="Cover von {title}",
    disclosure="Als Amazon-Partner verdienen wir an qualifizierten Verkäufen.",
    footer="Stand: {date} / Affiliate-Links / Bilder von Amazon",
    picks_heading="{count} empfohlene Bücher: {title}",
    picks_heading_one="Ein empfohlenes Buch: {title}",
    open_footer="Stand: {date} / Affiliate-Links / Cover von Open Library",
    updating="Diese Liste wird gerade aktualisiert; bis dahin ohne Preise.",
    preparing="Diese Liste wird gerade erstellt. Bitte in einer Minute neu laden.",
    unavailable="Diese Bücherliste ist nicht verfügbar.",
    prices_as_of="Preise Stand {time}",
    price_disclaimer=(
        "Produktpreise und Verfügbarkeit entsprechen dem angegebenen Datum und"
        " der angegebenen Uhrzeit und können sich ändern. Für den Kauf dieses"
        " Produkts gelten die Preis- und Verfügbarkeitsinformationen, die zum"
        " Zeitpunkt des Kaufs auf Amazon angezeigt werden."
    ),
    date_format="{d:02d}.{m:02d}.{y:04d}",
    datetime_format="{d:02d}.{m:02d}.{y:04d}, {H:02d}:{M:02d} UTC",
    view="Auf Amazon ansehen",
    heading_new="Die {count} neuesten Bücher: {title}",
    heading_new_one="Das neueste Buch: {title}",
    stars="{rating} von 5 Sternen",
    reviews="{count} Bewertungen",
    new="Neu",
    moved="Plätze seit der letzten Liste",
    decimal_mark=",",
    thousands=".",
)

FRENCH = Strings(
    heading="Top {count} des livres du jour\u00a0: {title}",
    heading_one="Le livre le plus populaire du jour\u00a0: {title}",
    by="de",
    cover="Couverture de {title}",
    disclosure=(
        "En tant que Partenaire Amazon, nous réalisons un bénéfice sur les"
        " achats remplissant les conditions requises."
    ),
    footer="Dernière mise à jour le {date} / Liens affiliés / Images d'Amazon",
    picks_heading="{count} livres recommandés\u00a0: {title}",
    picks_heading_one="Un livre recommandé\u00a0: {title}",
    open_footer=(
        "Dernière mise à jour le {date} / Liens affiliés / Couvertures d'Open Library"
    ),
    updating="Cette liste est en cours de mise à jour\u00a0; prix masqués d'ici là.",
    preparing="Cette liste est en préparation. Revenez dans une minute.",
    unavailable="Cette liste de livres n'est pas disponible.",
    prices_as_of="Prix au {time}",
    price_disclaimer=(
        "Les prix et la disponibilité des produits sont exacts à la date et à"
        " l'heure indiquées et peuvent changer. Les informations de prix et de"
        " disponibilité affichées sur Amazon au moment de l'achat s'appliquent"
        " à l'achat de ce produit."
    ),
    date_format="{d:02d}/{m:02d}/{y:04d}",
    datetime_format="{d:02d}/{m:02d}/{y:04d} {H:02d}:{M:02d} UTC",
    view="Voir sur Amazon",
    heading_new="Les {count} livres les plus récents\u00a0: {title}",
    heading_new_one="Le livre le plus récent\u00a0: {title}",
    stars="{rating} sur 5 étoiles",
    reviews="{count} évaluations",
    new="Nouveau",
    moved="places depuis la dernière liste",
    decimal_mark=",",
    thousands="\u202f",
)

SPANISH = Strings(
    heading="Los {count} libros más populares de hoy: {title}",
    heading_one="El libro más popular de hoy: {title}",
    by="de",
    cover="Portada de {title}",
    disclosure=(
        "Como Afiliado de Amazon, obtenemos ingresos por las compras adscritas"
        " que cumplen los requisitos aplicables."
    ),
    footer="Actualizado el {date} / Enlaces de afiliado / Imágenes de Amazon",
    picks_heading="{count} libros recomendados: {title}",
    picks_heading_one="Un libro recomendado: {title}",
    open_footer=(
        "Actualizado el {date} / Enlaces de afiliado / Portadas de Open Library"
    ),
    updating="Esta lista se está actualizando; hasta entonces, sin precios.",
    preparing="Esta lista se está preparando. Vuelve a consultarla en un minuto.",
    unavailable="Esta lista de libros no está disponible.",
    prices_as_of="Precios a {time}",
    price_disclaimer=(
        "Los precios y la disponibilidad de los productos son exactos en la"
        " fecha y hora indicadas y pueden cambiar. La información de precio y"
        " disponibilidad que se muestre en Amazon en el momento de la compra"
        " será la que se aplique a la compra de este producto."
    ),
    date_format="{d:02d}/{m:02d}/{y:04d}",
    datetime_format="{d:02d}/{m:02d}/{y:04d} {H:02d}:{M:02d} UTC",
    view="Ver en Amazon",
    heading_new="Los {count} libros más recientes: {title}",
    heading_new_one="El libro más reciente: {title}",
    stars="{rating} de 5 estrellas",
    reviews="{count} valoraciones",
    new="Nuevo",
    moved="puestos desde la última lista",
    decimal_mark=",",
    thousands=".",
)

ITALIAN = Strings(
    heading="I {count} libri più popolari di oggi su {title}",
    heading_one="Il libro più popolare di oggi su {title}",
    by="di",
    cover="Copertina di {title}",
    disclosure=(
        "In qualità di Affiliato Amazon, riceviamo un guadagno dagli acquisti idonei."
    ),
    footer="Aggiornato il {date} / Link affiliati / Immagini da Amazon",
    picks_heading="{count} libri consigliati su {title}",
    picks_heading_one="Un libro consigliato su {title}",
    open_footer="Aggiornato il {date} / Link affiliati / Copertine da Open Library",
    updating="Elenco in aggiornamento; fino ad allora i prezzi sono nascosti.",
    preparing="Questo elenco è in preparazione. Riprova tra un minuto.",
    unavailable="Questo elenco di libri non è disponibile.",
    prices_as_of="Prezzi aggiornati al {time}",
    price_disclaimer=(
        "I prezzi e la disponibilità dei prodotti sono accurati alla data e"
        " all'ora indicate e sono soggetti a modifiche. Per l'acquisto di"
        " questo prodotto valgono le informazioni su prezzo e disponibilità"
        " visualizzate su Amazon al momento dell'acquisto."
    ),
    date_format="{d:02d}/{m:02d}/{y:04d}",
    datetime_format="{d:02d}/{m:02d}/{y:04d} {H:02d}:{M:02d} UTC",
    view="Vedi su Amazon",
    heading_new="I {count} libri più recenti su {title}",
    heading_new_one="Il libro più recente su {title}",
    stars="{rating} su 5 stelle",
    reviews="{count} recensioni",
    new="Novità",
    moved="posizioni dall'ultimo elenco",
    decimal_mark=",",
    thousands=".",
)

JAPANESE = Strings(
    heading="今日の「{title}」人気書籍トップ{count}",
    heading_one="今日の「{title}」人気書籍",
    by="著者:",
    cover="{title}の表紙",
    disclosure="Amazonのアソシエイトとして、当サイトは適格販売により収入を得ています。",
    footer="最終更新日 {date} / アフィリエイトリンク / 画像はAmazonより",
    picks_heading="「{title}」のおすすめ書籍{count}冊",
    picks_heading_one="「{title}」のおすすめ書籍",
    open_footer="最終更新日 {date} / アフィリエイトリンク / 表紙はOpen Libraryより",
    updating="このリストは更新中です。更新が終わるまで価格は表示されません。",
    preparing="このリストは準備中です。しばらくしてから再度ご覧ください。",
    unavailable="この書籍リストは表示できません。",
    prices_as_of="価格は{time}時点のものです",
    price_disclaimer=(
        "商品の価格と在庫状況は表示された日時時点のものであり、変更される場合が"
        "あります。購入時にAmazonに表示されている価格と在庫状況の情報が、"
        "この商品の購入に適用されます。"
    ),
    date_format="{y}年{m}月{d}日",
    datetime_format="{y}年{m}月{d}日 {H:02d}:{M:02d} UTC",
    view="Amazonで見る",
    heading_new="「{title}」の新刊{count}冊",
    heading_new_one="「{title}」の新刊",
    stars="5つ星のうち{rating}",
    reviews="{count}件の評価",
    new="NEW",
    moved="位(前回のリストから)",
    saving="{percent}%オフ",
)

LANGUAGES: dict[str, Strings] = {
    "en": ENGLISH,
    "de": GERMAN,
    "fr": FRENCH,
    "es": SPANISH,
    "it": ITALIAN,
    "ja": JAPANESE,
}
DEFAULT_LANGUAGE = "en"


def match_language(tag: str) -> str | None:
    """The supported language a BCP 47 tag asks for: ``de-DE``, ``DE`` and
    ``de_at`` give ``de``; ``None`` for anything else."""
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def strings_for(lang: str) -> Strings:
    return LANGUAGES.get(lang, ENGLISH)


def format_number(strings: Strings, number: float, decimals: int = 0) -> str:
    """1320 as "1,320" (en) or "1.320" (de); 4.6 as "4.6" or "4,6"."""
    text = f"{number:,.{decimals}f}"
    return text.translate({ord(","): strings.thousands, ord("."): strings.decimal_mark})


def format_moment(pattern: str, moment: datetime) -> str:
    """Fill a date pattern such as ``"{d:02d}.{m:02d}.{y:04d}"``."""
    return pattern.format(
        y=moment.year, m=moment.month, d=moment.day, H=moment.hour, M=moment.minute
    )


def disclosure_for(lang: str, settings: Mapping[str, Any]) -> str:
    """The configured sentence for ``lang``, else the programme's wording."""
    configured: Mapping[str, str] = settings.get("WIDGET_DISCLOSURES") or {}
    if lang in configured:
        return configured[lang]
    if lang == DEFAULT_LANGUAGE:
        return str(settings.get("WIDGET_DISCLOSURE") or ENGLISH.disclosure)
    return strings_for(lang).disclosure
