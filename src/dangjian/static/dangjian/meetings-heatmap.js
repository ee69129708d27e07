// The compliance overview's heat map (meetings/compliance.html): orgs × months, coloured by the share of the month's
// obligations met; a click opens the cell's missing items. Numbers come from the json_script blob named in
// data-heatmap (no data, no inline script in the page: strict CSP).
(function () {
  var el = document.querySelector("[data-heatmap]");
  if (!el || typeof echarts === "undefined") { return; }
  var source = document.getElementById(el.dataset.heatmap);
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  if (el.dataset.height) { el.style.height = el.dataset.height + "px"; }  // before init: ECharts sizes to it
  var chart = echarts.init(el, null, {renderer: "svg"});
  var points = data.values.map(function (v) {
    // [x, y, percent or "-" (nothing decided yet), met, required, due]
    return {value: [v[0], v[1], v[2] === null ? "-" : v[2]], met: v[3], required: v[4], due: v[5]};
  });
  chart.setOption({
    tooltip: {
      position: "top",
      formatter: function (p) {
        var d = p.data;
        if (!d.required) { return data.orgs[d.value[1]] + " " + data.months[d.value[0]] + "：无到期要求"; }
        var text = data.orgs[d.value[1]] + " " + data.months[d.value[0]] + "：应开" + d.required + "次，已开" + d.met + "次";
        return d.due ? text + "，进行中" + d.due + "次" : text;
      }
    },
    grid: {containLabel: true, left: 8, right: 8, top: 8, bottom: 48},
    xAxis: {type: "category", data: data.months, splitArea: {show: true}},
    yAxis: {type: "category", data: data.orgs, inverse: true, splitArea: {show: true}},
    visualMap: {min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                text: ["100%", "0%"], inRange: {color: ["#c62828", "#f9a825", "#2e7d32"]}},
    series: [{
      type: "heatmap", data: points,
      label: {show: true, formatter: function (p) { return p.data.required ? p.data.met + "/" + p.data.required : ""; }},
      emphasis: {itemStyle: {borderColor: "#333", borderWidth: 1}}
    }]
  });
  chart.on("click", function (p) {
    var link = data.links[p.data.value[1]] && data.links[p.data.value[1]][p.data.value[0]];
    if (link) { window.location.href = link; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
