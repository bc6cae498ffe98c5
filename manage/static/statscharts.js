// The statistics page's charts, drawn with the vendored Apache ECharts (/static/vendor/echarts.min.js,
// loaded before this module as the global `echarts`): served and no-shows per row, wait mean and
// 90th percentile per row, ratings stacked by level, arrivals by hour. Canvas, no animation (the
// figures are what matters), the hall's own fonts.

var charts = {};
var FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif";
var LEVELS = [["5", "非常满意", "#0a6b2f"], ["4", "满意", "#5aa469"], ["3", "基本满意", "#c9b037"],
  ["2", "不满意", "#e07b39"], ["1", "非常不满意", "#a4000f"]];

function chart(id) {
  if (!charts[id]) {
    charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: "canvas" });
  }
  return charts[id];
}

function base(names) {
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 48, right: 16, top: 36, bottom: names.length > 6 ? 84 : 40 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 40 : 0, fontSize: 11 } },
    yAxis: { type: "value", minInterval: 1 }
  };
}

function minutes(s) { return s === null || s === undefined ? null : Math.round(s / 6) / 10; }

export function drawCharts(answer) {
  var rows = answer.rows || [];
  var names = rows.map(function (r) { return r.label || r.key || "—"; });

  var served = base(names);
  served.series = [
    { name: "办结 Served", type: "bar", data: rows.map(function (r) { return r.served; }), itemStyle: { color: "#0b3a75" } },
    { name: "过号 No-shows", type: "bar", data: rows.map(function (r) { return r.no_show; }), itemStyle: { color: "#a4000f" } }
  ];
  chart("chart-served").setOption(served, true);

  var wait = base(names);
  wait.yAxis = { type: "value", name: "分钟 min" };
  wait.series = [
    { name: "平均 Mean", type: "bar", data: rows.map(function (r) { return minutes(r.wait_mean_s); }), itemStyle: { color: "#5b86c5" } },
    { name: "90分位 P90", type: "bar", data: rows.map(function (r) { return minutes(r.wait_p90_s); }), itemStyle: { color: "#8a5300" } }
  ];
  chart("chart-wait").setOption(wait, true);

  var ratings = base(names);
  ratings.series = LEVELS.map(function (l) {
    return { name: l[1] + " " + l[0], type: "bar", stack: "ratings", itemStyle: { color: l[2] },
      data: rows.map(function (r) { return (r.ratings || {})[l[0]] || 0; }) };
  });
  chart("chart-ratings").setOption(ratings, true);

  var byHour = {};
  (answer.arrivals_by_hour || []).forEach(function (a) { byHour[a.hour] = a.issued; });
  var hours = Object.keys(byHour).map(Number);
  var lo = Math.min.apply(null, hours.concat([8])), hi = Math.max.apply(null, hours.concat([17]));
  var labels = [], values = [];
  for (var h = lo; h <= hi; h++) { labels.push(h + ":00"); values.push(byHour[h] || 0); }
  var arrivals = base(labels);
  arrivals.series = [{ name: "取号 Issued", type: "bar", data: values, itemStyle: { color: "#0a6b2f" } }];
  chart("chart-arrivals").setOption(arrivals, true);
}

export function resizeCharts() { Object.keys(charts).forEach(function (id) { charts[id].resize(); }); }
