// Live progress of a payment batch over /ws/payments; reloads the page once when the batch finishes so the rows show
// their final states.
(function () {
  var box = document.getElementById('progress');
  if (!box || !window.WebSocket) return;
  var batch = box.getAttribute('data-batch');
  var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/payments');
  socket.onopen = function () { socket.send(JSON.stringify({watch: batch})); };
  socket.onmessage = function (e) {
    var p = JSON.parse(e.data);
    if (String(p.batch) !== batch) return;
    ['confirmed', 'failed', 'open'].forEach(function (k) { box.querySelector('.' + k).textContent = p[k]; });
    if (p.finished) location.reload();
  };
})();
