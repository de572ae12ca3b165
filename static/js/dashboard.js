// Dashboard charts, drawn with the vendored ECharts from the same data as the page's figures
// (embedded with json_script; no inline script). Clicking a bar or slice opens the list behind it.
(function () {
  "use strict";
  var RAG_COLORS = { red: "#dc3545", amber: "#ffc107", green: "#198754" };

  // Tooltips drawn on the canvas ("richText"), not as HTML: ECharts' HTML tooltips write inline
  // style attributes, which our Content-Security-Policy (style-src 'self') blocks — about 20
  // errors per hover, and the tooltips lost their colour markers. `confine` keeps them inside
  // the chart, since a canvas cannot draw past its edge.
  function tooltip(options) {
    return Object.assign({ renderMode: "richText", confine: true }, options);
  }

  function draw(el, option, items) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      var item = items && items[params.dataIndex];
      var url = item && (params.seriesId === "overdue" ? item.overdue_url : params.seriesId === "done" ? item.done_url : item.url);
      if (url) { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
    return chart;
  }

  function stacked(items, horizontal) {
    var names = items.map(function (i) { return i.name; });
    var series = [
      { id: "done", name: "已完成", type: "bar", stack: "t", data: items.map(function (i) { return i.done; }), itemStyle: { color: RAG_COLORS.green } },
      { id: "overdue", name: "已逾期", type: "bar", stack: "t", data: items.map(function (i) { return i.overdue; }), itemStyle: { color: RAG_COLORS.red } },
      { id: "other", name: "其他", type: "bar", stack: "t", data: items.map(function (i) { return i.total - i.done - i.overdue; }), itemStyle: { color: "#adb5bd" } }
    ];
    var category = { type: "category", data: names, axisLabel: { interval: 0, width: horizontal ? 160 : 80, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    return {
      animation: false,
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      legend: { top: 0 },
      grid: { left: horizontal ? 170 : 40, right: 16, top: 30, bottom: 30, containLabel: false },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : value,
      series: series
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "rag") {
        draw(el, {
          animation: false,
          tooltip: tooltip({ trigger: "item" }),
          series: [{ type: "pie", radius: ["40%", "70%"], label: { formatter: "{b} {c}" },
            data: data.by_rag.map(function (r) { return { name: r.label, value: r.value, itemStyle: { color: RAG_COLORS[r.rag] } }; }) }]
        }, data.by_rag);
      } else if (kind === "category") {
        draw(el, stacked(data.by_category, false), data.by_category);
      } else if (kind === "deadline") {
        draw(el, stacked(data.by_deadline, false), data.by_deadline);
      } else if (kind === "measure") {
        draw(el, stacked(data.by_measure, true), data.by_measure);
      } else if (kind === "trend") {
        draw(el, {
          animation: false,
          tooltip: tooltip({ trigger: "axis", valueFormatter: function (v) { return v + "%"; } }),
          legend: { top: 0 },
          grid: { left: 40, right: 16, top: 30, bottom: 30 },
          xAxis: { type: "category", data: data.trend.map(function (p) { return p.code; }) },
          yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
          series: [
            { name: "报送率", type: "line", data: data.trend.map(function (p) { return p.reporting_rate; }) },
            { name: "累计完成率", type: "line", data: data.trend.map(function (p) { return p.completion_rate; }) }
          ]
        }, null);
      }
    });
  });
})();
