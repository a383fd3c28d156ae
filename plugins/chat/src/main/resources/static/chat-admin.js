// The session's Chat tab, live: the list of channels is redrawn as messages arrive and are read; a channel's page
// adds new messages, marks the participant's read as they arrive, and sends over the socket (the form posts
// without script). On every (re)connect the page asks for what it missed. Text is only ever set with textContent.
(function () {
  var page = document.getElementById('chat-page');
  if (!page) { return; }
  var session = page.dataset.session;
  var participant = page.dataset.participant || '';
  var log = document.getElementById('chat-log');
  var form = document.getElementById('chat-send');
  var error = document.getElementById('chat-error');
  var lastId = 0;
  var seen = {};
  var socket = null;
  var retry = 500;

  if (log) {
    Array.prototype.forEach.call(log.querySelectorAll('li[data-id]'), function (li) {
      var id = parseInt(li.dataset.id, 10);
      seen[id] = true;
      lastId = Math.max(lastId, id);
    });
  }

  function tell(message) {
    message.session = session;
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return true; }
    return false;
  }

  function cell(row, className, text) {
    var td = document.createElement('td');
    td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function drawChannels(channels) {
    var body = document.querySelector('#chat-channels tbody');
    if (!body) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    channels.forEach(function (c) {
      var row = document.createElement('tr');
      row.dataset.participant = c.participant;
      var link = document.createElement('a');
      link.className = 'chat-open';
      link.href = '/admin/sessions/' + encodeURIComponent(session) + '/chat/' + encodeURIComponent(c.participant);
      link.textContent = c.name;
      cell(row, '', '').appendChild(link);
      cell(row, 'chat-unread', String(c.unread));
      cell(row, 'chat-last', c.lastText || '');
      cell(row, 'chat-when', c.lastAt ? new Date(c.lastAt).toLocaleString() : '');
      cell(row, 'chat-replies', (c.replies ? 'on' : 'off') + (c.repliesOwn === 'default' ? ' (default)' : ''));
      body.appendChild(row);
    });
  }

  function add(m) {
    if (!log || m.participant !== participant || seen[m.id]) { return; }
    seen[m.id] = true;
    lastId = Math.max(lastId, m.id);
    var li = document.createElement('li');
    li.dataset.id = m.id;
    li.className = m.from === 'participant' ? 'chat-theirs' : 'chat-ours';
    var from = document.createElement('span');
    from.className = 'chat-from';
    from.textContent = m.from;
    var text = document.createElement('span');
    text.className = 'chat-text';
    text.textContent = m.text;
    var when = document.createElement('time');
    when.textContent = new Date(m.sentAt).toLocaleString();
    li.appendChild(from);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(text);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(when);
    log.appendChild(li);
    var empty = document.getElementById('chat-empty');
    if (empty) { empty.hidden = true; }
    if (m.from === 'participant') { tell({type: 'read', participant: participant}); }
  }

  function connect() {
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/chat/admin');
    socket.onopen = function () {
      retry = 500;
      tell({type: 'watch', participant: participant, after: lastId});
    };
    socket.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === 'watching' || m.type === 'channels') {
        drawChannels(m.channels);
        (m.messages || []).forEach(add);
      } else if (m.type === 'message') {
        add(m.message);
        tell({type: 'channels'});
      } else if (m.type === 'unread' || m.type === 'replies') {
        tell({type: 'channels'});
      } else if (m.type === 'sent') {
        if (form) { form.querySelector('textarea').value = ''; }
        if (error) { error.hidden = true; }
      } else if (m.type === 'error' && error) {
        error.textContent = m.message;
        error.hidden = false;
      }
    };
    socket.onclose = function () {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  // On a channel's page the message goes over the socket; without one (or with several recipients), the form posts.
  if (form && participant) {
    form.addEventListener('submit', function (e) {
      var text = form.querySelector('textarea').value;
      if (tell({type: 'send', participants: [participant], text: text})) { e.preventDefault(); }
    });
  }
  connect();
})();
