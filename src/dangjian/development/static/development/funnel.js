// The funnel of development work (development/funnel.html): records per stage, from the json_script blob named in
// data-development-funnel (no inline script: strict CSP).
(function () {
  var el = document.querySelector("[data-development-funnel]");
  if (!el || typeof echarts === "undefined") { return; }
  var source = document.getElementById(el.dataset.developmentFunnel);
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  el.style.height = "300px";  // before init: ECharts sizes to it
  var chart = echarts.init(el, null, {renderer: "svg"});
  chart.setOption({
    tooltip: {trigger: "item", formatter: "{b}：{c} 人"},
    color: ["#c62828", "#d84315", "#ef6c00", "#f9a825", "#9e9d24"],
    series: [{
      type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "20%", gap: 2,
      label: {show: true, position: "inside", formatter: "{b} {c}"},
      data: data.stages
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
