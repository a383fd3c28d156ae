// Live counts: the rows are fetched again every few seconds, unless the admin is typing into one of their forms.
(function () {
  var rows = document.getElementById('hit-rows');
  function busy() {
    var inputs = rows.querySelectorAll('input:not([type=hidden])');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i] === document.activeElement || inputs[i].value !== '') return true;
    }
    return false;
  }
  // The next fetch is planned when this one is done, so a slow answer (one GetHIT per HIT) never piles up.
  function poll() {
    setTimeout(function () {
      if (busy()) { poll(); return; }
      fetch('/admin/mturk/hits', {credentials: 'same-origin'}).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        if (html !== null && !busy()) rows.innerHTML = html;
      }).catch(function () {}).then(poll);
    }, 3000);
  }
  poll();
})();
