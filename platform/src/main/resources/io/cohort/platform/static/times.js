/*
 * Times on the admin's pages in the admin's own time zone, to the second, with "3 min ago" for the last day.
 * The server writes <time datetime="2026-12-05T09:00:00Z">…UTC</time>; this rewrites the text (the title keeps UTC).
 */
(function () {
  'use strict';

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function ago(ms) {
    var s = Math.round(ms / 1000);
    if (s < 60) { return s + ' s ago'; }
    if (s < 3600) { return Math.round(s / 60) + ' min ago'; }
    return Math.round(s / 3600) + ' h ago';
  }

  function local(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    var text = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    var since = Date.now() - d.getTime();
    return since >= 0 && since < 86400000 ? text + ' (' + ago(since) + ')' : text;
  }

  function render(root) {
    (root || document).querySelectorAll('time[datetime]').forEach(function (t) {
      t.title = t.getAttribute('datetime');
      t.textContent = local(t.getAttribute('datetime'));
    });
  }

  window.cohortTime = local;
  document.addEventListener('DOMContentLoaded', function () { render(); });
  setInterval(render, 30000);
}());
