// The collection report's trend (fees/report.html): due, collected and remitted per month of the year, in yuan.
// Numbers come from the json_script blob named in data-fees-trend (no inline script: strict CSP).
(function () {
  var el = document.querySelector("[data-fees-trend]");
  if (!el || typeof echarts === "undefined") { return; }
  var source = document.getElementById(el.dataset.feesTrend);
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  el.style.height = "280px";  // before init: ECharts sizes to it
  var chart = echarts.init(el, null, {renderer: "svg"});
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v + " 元"; }},
    legend: {data: ["应交", "已收缴", "已上缴"], bottom: 0},
    grid: {containLabel: true, left: 8, right: 8, top: 16, bottom: 36},
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", name: "元"},
    series: [
      {name: "应交", type: "line", data: data.due, itemStyle: {color: "#9e9e9e"}},
      {name: "已收缴", type: "bar", data: data.collected, itemStyle: {color: "#c62828"}},
      {name: "已上缴", type: "bar", data: data.remitted, itemStyle: {color: "#f9a825"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
