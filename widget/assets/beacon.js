(function(){"use strict";var N=navigator,W=window,D=document;if(!W.IntersectionObserver||!N.sendBeacon)return;
function go(b,d,p,u){d.topic=b.getAttribute("data-slug");d.store=b.getAttribute("data-store");d.page=p;try{N.sendBeacon(u,JSON.stringify(d))}catch(e){}}
function watch(b,p,u){if(b.bwB)return;b.bwB=1;var t=0,o=new IntersectionObserver(function(es){if(es[es.length-1].intersectionRatio>=.5){t=t||setTimeout(function(){o.disconnect();go(b,{type:"impression"},p,u)},1e3)}else{clearTimeout(t);t=0}},{threshold:[0,.5]});o.observe(b);
function c(e){var a=e.target.closest?e.target.closest("a[rel~=sponsored]"):null,l=a&&a.closest("li"),m=a&&/\/(?:dp|gp\/product)\/([0-9A-Za-z]{10})|[?&]k=([0-9]{13})/.exec(a.href);
if(m&&b.contains(l)&&(e.type==="click"||e.button===1))go(b,{type:"click",asin:m[1]||m[2],position:[].indexOf.call(l.parentNode.children,l)+1},p,u)}
b.addEventListener("click",c);b.addEventListener("auxclick",c)}
function s(r,p){var k=r.querySelector("script[data-bw-beacons]"),bs=r.querySelectorAll(".bw[data-store]");if(!k)return;
for(var i=0;i<bs.length;i++)watch(bs[i],p,k.src.replace(/beacons\.js$/,"api/v1/events"))}
function all(){s(D,parent!==W?D.referrer:location.href);var h=D.querySelectorAll(".bw-host,[data-widget-topic]");for(var i=0;i<h.length;i++)if(h[i].shadowRoot)s(h[i].shadowRoot,location.href)}
all();D.addEventListener("bw:mounted",all)})();
