// Dashboard charts (training, innovation). Each `.dash-chart-area` element carries its data as
// JSON in `data-chart` ({kind: "bar" | "pie" | "boxplot", ...}, built by
// app/training/dashboard.py:charts); this file turns it into an ECharts option
// and draws it. Loaded as a file after echarts.min.js: the CSP forbids inline scripts.
// Tooltips are plain text: ECharts' default tooltip HTML carries inline styles,
// which the CSP (style-src 'self') would refuse. Chart containers carry no id:
// htmx "settles" the attributes of elements with an id after a swap, and would
// then strip (and so re-apply under the CSP) the style ECharts gives its container.
(function () {
  "use strict";

  var SELECTOR = ".dash-chart-area[data-chart]";
  var COLORS = ["#c52f21", "#2f6fb0", "#d98c1f", "#3c8d5a", "#7a4fa3", "#5b6770"];
  var FONT = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function numbers(list) {
    return (list || []).map(function (v) { return v === null || v === undefined ? null : Number(v); });
  }

  function tooltip(formatter) {
    return { trigger: "item", confine: true, formatter: formatter, textStyle: { fontFamily: FONT } };
  }

  function bar(spec) {
    var unit = spec.unit || "";
    var horizontal = !!spec.horizontal;
    var category = {
      type: "category",
      data: spec.categories,
      axisTick: { alignWithLabel: true },
      axisLabel: horizontal ? { width: 130, overflow: "truncate" } : { interval: 0, width: 80, overflow: "truncate" },
      inverse: horizontal
    };
    var value = { type: "value", minInterval: 1, axisLabel: { formatter: "{value}" + unit } };
    if (spec.max) value.max = spec.max;
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: tooltip(function (p) {
        return escapeHtml(p.name) + "<br>" + escapeHtml(spec.series) + ": " + escapeHtml(p.value) + escapeHtml(unit);
      }),
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        type: "bar",
        name: spec.series,
        data: numbers(spec.values),
        barMaxWidth: 36,
        label: { show: true, position: horizontal ? "right" : "top", formatter: "{c}" + unit }
      }]
    };
  }

  function pie(spec) {
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      tooltip: tooltip(function (p) {
        return escapeHtml(p.name) + ": " + escapeHtml(p.value);
      }),
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        name: spec.series,
        radius: ["35%", "62%"],
        center: ["50%", "44%"],
        data: (spec.slices || []).map(function (s) { return { name: s.name, value: Number(s.value) }; }),
        label: { formatter: "{b}\n{c}", width: 72, overflow: "break" }
      }]
    };
  }

  function boxplot(spec) {
    var names = spec.labels || ["min", "Q1", "median", "Q3", "max"];
    var boxes = (spec.boxes || []).map(numbers);
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: tooltip(function (p) {
        var values = boxes[p.dataIndex] || [];
        return [escapeHtml(p.name)].concat(values.map(function (v, i) {
          return escapeHtml(names[i]) + ": " + escapeHtml(v);
        })).join("<br>");
      }),
      xAxis: { type: "category", data: spec.categories },
      yAxis: { type: "value" },
      series: [
        {
          type: "boxplot",
          name: spec.series,
          data: boxes,
          itemStyle: { color: "#fbe9e7", borderColor: COLORS[0] },
          boxWidth: [24, 60]
        },
        {
          // The medians, labelled, on top of the boxes.
          type: "scatter",
          data: boxes.map(function (b, i) { return [i, b[2]]; }),
          symbol: "rect",
          symbolSize: [40, 2],
          itemStyle: { color: COLORS[0] },
          silent: true,
          label: { show: true, position: "right", formatter: function (p) { return String(p.value[1]); } },
          tooltip: { show: false }
        }
      ]
    };
  }

  var BUILDERS = { bar: bar, pie: pie, boxplot: boxplot };

  // Free a chart and put a pristine container in its place: ECharts styles its
  // container (and may still touch it from a pending timer), and a style attribute
  // in htmx's history snapshot would be refused by the CSP when the page is restored.
  function dispose(element) {
    var chart = window.echarts && window.echarts.getInstanceByDom(element);
    if (chart) chart.dispose();
    if (!element.hasAttribute("style") && !element.firstChild && !element.hasAttribute("_echarts_instance_")) {
      return element;
    }
    var fresh = document.createElement(element.tagName);
    Array.prototype.forEach.call(element.attributes, function (attribute) {
      if (attribute.name !== "style" && attribute.name !== "_echarts_instance_") {
        fresh.setAttribute(attribute.name, attribute.value);
      }
    });
    if (element.parentNode) element.parentNode.replaceChild(fresh, element);
    return fresh;
  }

  function draw(element) {
    if (!window.echarts) return;
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var build = spec && BUILDERS[spec.kind];
    if (!build) return;
    element = dispose(element);
    window.echarts.init(element, null, { renderer: "canvas" }).setOption(build(spec));
  }

  function drawAll(root, onlyNew) {
    (root || document).querySelectorAll(SELECTOR).forEach(function (element) {
      if (onlyNew && window.echarts && window.echarts.getInstanceByDom(element)) return;
      draw(element);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document, false); });

  // Filter results are swapped by htmx: free the old charts, draw the new ones.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.querySelectorAll) target.querySelectorAll(SELECTOR).forEach(dispose);
  });
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    var root = event.detail.historyElt || document.body;
    root.querySelectorAll(SELECTOR).forEach(dispose);
  });
  document.addEventListener("htmx:afterSwap", function () { drawAll(document, true); });
  document.addEventListener("htmx:historyRestore", function () { drawAll(document, false); });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      pending = null;
      document.querySelectorAll(SELECTOR).forEach(function (element) {
        var chart = window.echarts && window.echarts.getInstanceByDom(element);
        if (chart) chart.resize();
      });
    }, 150);
  });
})();
