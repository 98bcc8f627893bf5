/* 督查考核 charts over the tables that carry the same figures (the tables stay the
   accessible version): bars per department, a line over months, a radar of indicators. */
(function () {
  if (!window.echarts) return;
  var blue = '#0a4a8f', font = 14;
  function init(el, option) {
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption(Object.assign({animation: false, textStyle: {fontSize: font}}, option));
    window.addEventListener('resize', function () { chart.resize(); });
  }
  document.querySelectorAll('[data-qy-bars]').forEach(function (el) {
    var rows = JSON.parse(el.getAttribute('data-qy-bars'));
    el.style.height = Math.max(200, rows.length * 28 + 40) + 'px';
    init(el, {
      grid: {left: 8, right: 44, top: 8, bottom: 8, containLabel: true},
      tooltip: {trigger: 'axis'},
      xAxis: {type: 'value', min: 0, max: 100, axisLabel: {fontSize: font}},
      yAxis: {type: 'category', inverse: true, data: rows.map(function (r) { return r.name; }),
              axisLabel: {fontSize: font, width: 130, overflow: 'truncate'}},
      series: [{type: 'bar', data: rows.map(function (r) { return r.value; }), itemStyle: {color: blue},
                label: {show: true, position: 'right', fontSize: font}}]
    });
  });
  document.querySelectorAll('[data-qy-line]').forEach(function (el) {
    var d = JSON.parse(el.getAttribute('data-qy-line'));
    init(el, {
      grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
      tooltip: {trigger: 'axis'},
      xAxis: {type: 'category', data: d.months, axisLabel: {fontSize: 13}},
      yAxis: {type: 'value', min: 0, max: 100, axisLabel: {fontSize: font}},
      series: [{type: 'line', data: d.totals, connectNulls: false, symbolSize: 8,
                itemStyle: {color: blue}, label: {show: true, fontSize: 13}}]
    });
  });
  document.querySelectorAll('[data-qy-radar]').forEach(function (el) {
    var d = JSON.parse(el.getAttribute('data-qy-radar'));
    init(el, {
      tooltip: {},
      radar: {indicator: d.labels.map(function (l) { return {name: l, max: 100}; }), radius: '62%',
              axisName: {fontSize: 13, color: '#1f2933'}},
      series: [{type: 'radar', data: [{value: d.scores, name: d.name, areaStyle: {opacity: 0.2}}],
                itemStyle: {color: blue}}]
    });
  });
})();
