// The statistics page's charts (members/stats.html), drawn with the vendored ECharts.
(function () {
  // Each chart reads its numbers from the json_script blob named in data-chart (no data in the script itself).
  var palette = ["#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#8d6e63", "#546e7a"];
  var charts = [];
  function barOption(data) {
    var series = data.series || [{name: "人数", values: data.values}];
    return {
      color: palette,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {show: series.length > 1, bottom: 0},
      grid: {containLabel: true, left: 8, right: 24, top: 8, bottom: series.length > 1 ? 32 : 8},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: data.labels, inverse: true},
      series: series.map(function (s) {
        return {name: s.name, type: "bar", stack: series.length > 1 ? "total" : undefined, data: s.values,
                label: {show: series.length === 1, position: "right"}};
      })
    };
  }
  function pieOption(data) {
    return {
      color: palette,
      tooltip: {trigger: "item", formatter: "{b}：{c}人（{d}%）"},
      legend: {bottom: 0},
      // Counts inside the slices, names in the legend: labels outside a narrow pie get clipped on phones.
      series: [{type: "pie", radius: ["35%", "70%"], center: ["50%", "45%"], label: {position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold"},
                data: data.labels.map(function (label, i) { return {name: label, value: data.values[i]}; })
                                 .filter(function (slice) { return slice.value > 0; })}]
    };
  }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (el.dataset.height) { el.style.height = el.dataset.height + "px"; }  // before init: ECharts sizes to it
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption(data.type === "pie" ? pieOption(data) : barOption(data));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
