// Forms that ask before they act (the page may have no inline handlers: the admin's CSP forbids them).
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (e) {
    if (!confirm(form.dataset.confirm)) { e.preventDefault(); }
  });
});
// The numbers and the chart are fetched again every few seconds; the next fetch waits for this one.
(function () {
  var live = document.getElementById('campaign-live');
  function poll() {
    setTimeout(function () {
      fetch('/admin/campaigns/{{ campaign.id }}/chart', {credentials: 'same-origin'}).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        if (html !== null) live.innerHTML = html;
      }).catch(function () {}).then(poll);
    }, 5000);
  }
  poll();
})();
