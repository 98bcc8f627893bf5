/* 财政专项资金 by department: an ECharts bar chart over the table that follows it
   (the table stays the accessible version). */
(function () {
  if (!window.echarts) return;
  document.querySelectorAll('[data-qy-chart]').forEach(function (el) {
    var rows = JSON.parse(el.getAttribute('data-qy-chart'));
    var unit = el.getAttribute('data-qy-unit') || '';
    el.style.height = Math.max(240, rows.length * 34 + 60) + 'px';
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption({
      grid: {left: 8, right: 48, top: 10, bottom: 10, containLabel: true},
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return v.toLocaleString('zh-CN') + ' ' + unit; }},
      xAxis: {type: 'value', axisLabel: {fontSize: 14}},
      yAxis: {type: 'category', inverse: true, data: rows.map(function (r) { return r.name; }),
              axisLabel: {fontSize: 15, width: 150, overflow: 'truncate'}},
      series: [{type: 'bar', data: rows.map(function (r) { return r.value; }), itemStyle: {color: '#0a4a8f'},
                label: {show: true, position: 'right', fontSize: 14,
                        formatter: function (p) { return p.value.toLocaleString('zh-CN', {maximumFractionDigits: 2}); }}}],
      animation: false
    });
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
