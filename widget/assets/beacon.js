(function(){"use strict";
if(!window.IntersectionObserver||!navigator.sendBeacon)return;
function send(box,data,page){data.topic=box.getAttribute("data-slug");data.store=box.getAttribute("data-store");data.page=page;
try{navigator.sendBeacon(box.getAttribute("data-events"),JSON.stringify(data))}catch(e){}}
function watch(box,page){if(box.bwBeacons)return;box.bwBeacons=1;var timer=0;
var seen=new IntersectionObserver(function(entries){var e=entries[entries.length-1];
if(e.intersectionRatio>=0.5){if(!timer)timer=setTimeout(function(){seen.disconnect();send(box,{type:"impression"},page)},1000)}
else{clearTimeout(timer);timer=0}},{threshold:[0,0.5]});seen.observe(box);
function click(ev){if(ev.type==="auxclick"&&ev.button!==1)return;var a=ev.target&&ev.target.closest?ev.target.closest("a[data-asin]"):null;
if(a&&box.contains(a))send(box,{type:"click",asin:a.getAttribute("data-asin"),position:+a.getAttribute("data-pos")},page)}
box.addEventListener("click",click);box.addEventListener("auxclick",click)}
function scan(root,page){var boxes=root.querySelectorAll(".bw[data-events]");for(var i=0;i<boxes.length;i++)watch(boxes[i],page)}
function all(){scan(document,parent!==window?document.referrer:location.href);
var hosts=document.querySelectorAll(".bw-host,[data-widget-topic]");
for(var i=0;i<hosts.length;i++)if(hosts[i].shadowRoot)scan(hosts[i].shadowRoot,location.href)}
all();document.addEventListener("bw:mounted",all)})();
