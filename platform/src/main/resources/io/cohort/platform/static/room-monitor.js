(function () {
  var table = document.getElementById('waiting');
  var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/rooms');
  ws.onopen = function () { ws.send(JSON.stringify({room: table.dataset.room})); };
  ws.onmessage = function (e) {
    var m = JSON.parse(e.data);
    if (!m.room) { return; }
    if ((m.room.sessionId || '') !== table.dataset.session || String(m.room.closed) !== table.dataset.closed) {
      location.reload();
      return;
    }
    var body = table.tBodies[0];
    body.textContent = '';
    m.waiting.forEach(function (w) {
      var tr = body.insertRow();
      [w.label, w.arrivedAt, w.online ? 'yes' : 'no'].forEach(function (text) { tr.insertCell().textContent = text; });
    });
    document.getElementById('waiting-count').textContent = m.waiting.length;
  };
  // Who stopped polling goes offline without an event: ask again now and then.
  setInterval(function () { if (ws.readyState === 1) { ws.send(JSON.stringify({room: table.dataset.room})); } }, 5000);
})();
