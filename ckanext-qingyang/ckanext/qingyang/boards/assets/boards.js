/* The boards' small helps; every page works without them.
   - the content counter (已写 n / 2000 字)
   - the department list narrowed to the chosen 地区 (不清楚 always stays)
   - 换一张 for the captcha
   - 复制查询码 */
(function () {
  function format(t, vars) { return t.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }

  document.querySelectorAll('[data-qy-counter]').forEach(function (area) {
    var out = document.getElementById(area.getAttribute('data-qy-counter'));
    var max = parseInt(area.getAttribute('data-qy-max'), 10);
    if (!out) return;
    function update() {
      var n = Array.from(area.value).length;
      out.textContent = n > max ? format(out.getAttribute('data-over'), {n: n - max})
                                : format(out.getAttribute('data-label'), {n: n, max: max});
      out.classList.toggle('qy-over', n > max);
    }
    area.addEventListener('input', update);
    update();
  });

  var places = document.querySelector('[data-qy-places]');
  var departments = document.querySelector('[data-qy-departments]');
  if (places && departments) {
    var unknown = departments.options[0].cloneNode(true);
    var groups = Array.from(departments.querySelectorAll('optgroup')).map(function (g) { return g.cloneNode(true); });
    var narrow = function () {
      var chosen = departments.value;
      var group = groups.find(function (g) { return g.getAttribute('data-place') === places.value; });
      departments.textContent = '';
      departments.appendChild(unknown.cloneNode(true));
      if (group) departments.appendChild(group.cloneNode(true));
      departments.value = chosen;
      if (departments.selectedIndex < 0) departments.selectedIndex = 0;
    };
    // a department chosen before (the form came back with an error) picks its own 地区
    var picked = departments.value && departments.selectedOptions[0].parentNode.getAttribute('data-place');
    if (picked) places.value = picked;
    narrow();
    places.addEventListener('change', narrow);
  }

  var renew = document.querySelector('[data-qy-captcha-renew]');
  var img = document.getElementById('qy-captcha-img');
  if (renew && img) {
    renew.hidden = false;
    renew.addEventListener('click', function () {
      img.src = img.src.split('?')[0] + '?new=1&t=' + Date.now();
      var input = document.getElementById('f-captcha-input');
      if (input) { input.value = ''; input.focus(); }
    });
  }

  var copy = document.querySelector('[data-qy-copy]');
  if (copy) {
    var code = document.getElementById(copy.getAttribute('data-qy-copy'));
    var status = document.querySelector('.qy-copy-status');
    copy.hidden = false;
    copy.addEventListener('click', function () {
      var text = code.textContent.trim();
      var done = function () { if (status) status.textContent = copy.getAttribute('data-done') + ':' + text; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(); done(); });
      } else { select(); done(); }
      function select() {
        var range = document.createRange(); range.selectNodeContents(code);
        var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        try { document.execCommand('copy'); } catch (e) { /* the code stays selected */ }
      }
    });
  }

  var summary = document.getElementById('qy-errors');
  if (summary) summary.focus();
})();
