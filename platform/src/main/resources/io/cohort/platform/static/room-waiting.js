(function () {
  var el = document.getElementById('seat'), polling = null;
  function show(m) {
    if (m.url) { location.href = m.url; return; }
    if (typeof m.waiting === 'number') { document.getElementById('waiting').textContent = m.waiting; }
  }
  function poll() {
    if (polling) { return; }
    polling = setInterval(function () {
      fetch('status', {credentials: 'same-origin', cache: 'no-store'})
        .then(function (r) { return r.json(); }).then(show).catch(function () {});
    }, 2000);
  }
  try {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/room');
    ws.onopen = function () { ws.send(JSON.stringify({room: el.dataset.room, seat: el.dataset.seat})); };
    ws.onmessage = function (e) { show(JSON.parse(e.data)); };
    ws.onclose = poll;
  } catch (e) {
    poll();
  }
})();
