/* Suggestions as a person types: fill the search box's <datalist> from
   qingyang_portal_suggest (everyday words with their formal term, then item names). */
(function () {
  var input = document.querySelector('[data-qy-suggest]');
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute('list'));
  var url = input.getAttribute('data-qy-suggest');
  var timer = null, last = '';
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (!q || q === last) return;
      last = q;
      fetch(url + '?q=' + encodeURIComponent(q), {credentials: 'same-origin'})
        .then(function (r) { return r.ok ? r.json() : {result: []}; })
        .then(function (data) {
          if (q !== last) return;
          list.textContent = '';
          (data.result || []).forEach(function (s) {
            var option = document.createElement('option');
            option.value = s.text;
            if (s.everyday) option.label = s.everyday + ' → ' + s.text;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    }, 150);
  });
})();
