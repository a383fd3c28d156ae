// The chat widget on a participant page: a button that appears once the experimenter has written (the page comes
// with it hidden; the socket's hello says whether the channel exists), a window with the conversation, an unread dot.
// Real time over /ws/chat/participant; on every (re)connect it asks for what it missed since the last message it has
// (events cross nodes at most once). Text is only ever set with textContent.
(function () {
  var root = document.getElementById('cohort-chat');
  if (!root || root.dataset.started) { return; }
  root.dataset.started = 'true';
  var button = root.querySelector('#cohort-chat-button');
  var dot = root.querySelector('.cohort-chat-dot');
  var win = root.querySelector('#cohort-chat-window');
  var log = root.querySelector('.cohort-chat-log');
  var notice = root.querySelector('.cohort-chat-notice');
  var error = root.querySelector('.cohort-chat-error');
  var form = root.querySelector('form');
  var box = form.querySelector('textarea');
  var send = form.querySelector('button');
  var max = parseInt(root.dataset.max, 10);
  var lastId = 0;
  var seen = {};
  var socket = null;
  var stopped = false;
  var retry = 500;
  var pending = null;

  function show() {
    button.hidden = false;
    document.documentElement.classList.add('cohort-chat-on');
  }

  function setReplies(on) {
    box.disabled = !on;
    send.disabled = !on;
    notice.hidden = on;
  }

  function add(m) {
    if (seen[m.id]) { return; }
    seen[m.id] = true;
    lastId = Math.max(lastId, m.id);
    var item = document.createElement('li');
    item.textContent = m.text;
    item.dataset.id = m.id;
    if (m.from === 'participant') {
      item.className = 'cohort-chat-own';
      if (pending !== null && pending === m.text) { box.value = ''; pending = null; }
    } else if (win.hidden) {
      dot.hidden = false;
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    show();
    if (!win.hidden && m.from !== 'participant') { tell({type: 'read'}); }
  }

  function tell(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); }
  }

  function connect() {
    if (stopped) { return; }
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/chat/participant?session='
        + encodeURIComponent(root.dataset.session) + '&token=' + encodeURIComponent(root.dataset.token);
    socket = new WebSocket(url);
    socket.onopen = function () { retry = 500; tell({type: 'hello', after: lastId}); };
    socket.onmessage = function (e) {
      // Taken out without the event (the host put the contribution in again, quietly): this copy is done.
      if (!root.isConnected) { stop(); return; }
      var m = JSON.parse(e.data);
      if (m.type === 'hello') {
        if (m.channel) { show(); }
        setReplies(m.replies);
        m.messages.forEach(add);
        dot.hidden = !(m.unread > 0 && win.hidden);
      } else if (m.type === 'message') {
        if (typeof m.replies === 'boolean') { setReplies(m.replies); }
        add(m.message);
      } else if (m.type === 'replies') {
        setReplies(m.on);
      } else if (m.type === 'error') {
        error.textContent = m.message;
        error.hidden = false;
        pending = null;
      }
    };
    socket.onclose = function () {
      socket = null;
      if (!stopped && root.isConnected) {
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 10000);
      } else {
        stop();
      }
    };
  }

  button.addEventListener('click', function () {
    win.hidden = !win.hidden;
    if (!win.hidden) {
      dot.hidden = true;
      log.scrollTop = log.scrollHeight;
      tell({type: 'read'});
      if (!box.disabled) { box.focus(); }
    }
  });
  root.querySelector('.cohort-chat-close').addEventListener('click', function () { win.hidden = true; });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = box.value.trim();
    if (!text) { return; }
    if (text.length > max) {
      error.textContent = 'Your message is ' + text.length + ' characters long; at most ' + max + ' are allowed.';
      error.hidden = false;
      return;
    }
    error.hidden = true;
    pending = text;
    tell({type: 'send', text: text});
  });

  // The plugin stopped: the host removed the widget's element; close the socket and give the page its room back.
  function stop() {
    stopped = true;
    document.documentElement.classList.remove('cohort-chat-on');
    document.removeEventListener('cohort:contribution-removed', removed);
    if (socket) { socket.close(); }
  }

  function removed() {
    // The event may come for another plugin's contribution, or just before ours is taken out: look until it is.
    var tries = 0;
    (function check() {
      if (!root.isConnected) { stop(); } else if (++tries < 20) { setTimeout(check, 50); }
    })();
  }

  document.addEventListener('cohort:contribution-removed', removed);
  connect();
})();
