// The admin's live views: the session monitor, the dashboard and the new-session form.
// Everything from the server goes in as text (textContent), never as markup.
(function () {
  'use strict';

  function cell(tr, col) {
    return tr.querySelector('[data-col="' + col + '"]');
  }

  function setText(tr, col, text) {
    var td = cell(tr, col);
    if (td && td.textContent !== text) {
      td.textContent = text;
      td.classList.add('changed');
      setTimeout(function () { td.classList.remove('changed'); }, 1500);
    }
  }

  function newRow(tbody, attr, id, cols) {
    var tr = document.createElement('tr');
    tr.setAttribute(attr, id);
    cols.forEach(function (col) {
      var td = document.createElement('td');
      if (col) {
        td.setAttribute('data-col', col);
      }
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
    return tr;
  }

  function connect(watch, onMessage) {
    var live = document.getElementById('live');
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/monitor';
    var socket = new WebSocket(url);
    socket.onopen = function () {
      socket.send(JSON.stringify({ watch: watch }));
      if (live) { live.textContent = 'live'; }
    };
    socket.onmessage = function (e) { onMessage(JSON.parse(e.data)); };
    socket.onclose = function () {
      if (live) { live.textContent = 'reconnecting…'; }
      setTimeout(function () { connect(watch, onMessage); }, 2000);
    };
  }

  // ---- session page

  var MONITOR_COLS = ['', 'name', 'url', 'status', 'condition', 'group', 'page', 'progress', 'online', 'lastChange', 'bonus', 'error'];

  function monitor(table) {
    var tbody = table.tBodies[0];
    var selectAll = document.getElementById('select-all');

    function showRow(r) {
      var tr = tbody.querySelector('tr[data-participant="' + CSS.escape(r.id) + '"]');
      if (!tr) {
        tr = newRow(tbody, 'data-participant', r.id, MONITOR_COLS);
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.name = 'participants';
        box.value = r.id;
        box.setAttribute('form', 'actions');
        box.checked = selectAll && selectAll.checked;
        tr.cells[0].appendChild(box);
        var a = document.createElement('a');
        a.href = r.url;
        a.textContent = 'link';
        cell(tr, 'url').appendChild(a);
      }
      setText(tr, 'name', r.name);
      setText(tr, 'status', r.status);
      setText(tr, 'condition', r.condition || '');
      setText(tr, 'group', r.group || '');
      setText(tr, 'page', r.pageIndex + ' ' + r.page);
      setText(tr, 'progress', r.pageIndex + '/' + r.pages);
      setText(tr, 'online', r.online ? 'online' : '');
      setText(tr, 'lastChange', window.cohortTime && r.lastChange ? window.cohortTime(r.lastChange) : r.lastChange);
      setText(tr, 'bonus', r.bonus);
      setText(tr, 'error', r.error || '');
      tr.classList.toggle('has-error', !!r.error);
    }

    function showFigures(f) {
      var figures = document.getElementById('figures');
      if (figures) {
        figures.textContent = f.started + ' started · ' + f.completed + ' completed · ' + f.online + ' online';
      }
      var active = document.getElementById('active');
      if (active) {
        active.textContent = f.session.active ? 'Active' : 'Paused: participants see a paused page';
      }
      var testing = document.getElementById('testing');
      if (testing) {
        testing.textContent = f.session.testing ? 'Testing' : 'Not testing';
      }
    }

    if (selectAll) {
      selectAll.addEventListener('change', function () {
        tbody.querySelectorAll('input[name="participants"]').forEach(function (b) { b.checked = selectAll.checked; });
      });
      tbody.addEventListener('change', function (e) {
        if (e.target.name === 'participants' && !e.target.checked) {
          selectAll.checked = false;
        }
      });
    }

    connect(table.getAttribute('data-session'), function (m) {
      if (m.type === 'rows') {
        showFigures(m.session);
        m.rows.forEach(showRow);
      } else if (m.type === 'row') {
        showRow(m.row);
      } else if (m.type === 'session') {
        showFigures(m.session);
      }
    });
  }

  // ---- dashboard

  function dashboard(sessions) {
    var tbody = sessions.tBodies[0];
    var rooms = document.getElementById('dashboard-rooms');

    function showSession(f) {
      var s = f.session;
      var tr = tbody.querySelector('tr[data-session="' + CSS.escape(s.id) + '"]');
      if (!s.active) {
        if (tr) { tr.remove(); }
        return;
      }
      if (!tr) {
        var empty = tbody.querySelector('tr.empty');
        if (empty) { empty.remove(); }
        tr = newRow(tbody, 'data-session', s.id, ['name', 'experiment', 'started', 'completed', 'online']);
        var a = document.createElement('a');
        a.href = '/admin/sessions/' + encodeURIComponent(s.id);
        a.textContent = s.name;
        cell(tr, 'name').appendChild(a);
        cell(tr, 'experiment').textContent = s.experiment;
      }
      // A session crowd workers fill (size 0) has no target: "11 joined", not "11/0".
      setText(tr, 'started', s.size === 0 ? f.started + ' joined' : f.started + '/' + s.size);
      setText(tr, 'completed', s.size === 0 ? String(f.completed) : f.completed + '/' + s.size);
      setText(tr, 'online', String(f.online));
    }

    function showRooms(list) {
      if (!rooms) { return; }
      var body = rooms.tBodies[0];
      body.textContent = '';
      list.forEach(function (r) {
        var tr = document.createElement('tr');
        [r.room.name, r.room.experiment, r.waiting, r.online, r.room.capacity, r.room.open ? 'free' : 'restricted',
          r.sessionName || r.room.sessionId || ''].forEach(function (v) {
          var td = document.createElement('td');
          td.textContent = String(v);
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }

    connect('dashboard', function (m) {
      if (m.type === 'dashboard') {
        tbody.textContent = '';
        m.sessions.forEach(showSession);
        showRooms(m.rooms);
      } else if (m.type === 'session') {
        showSession(m.session);
      } else if (m.type === 'rooms') {
        showRooms(m.rooms);
      }
    });
  }

  // ---- new-session form: only the chosen experiment's settings show (and are sent)

  function newSession(select) {
    function show() {
      document.querySelectorAll('fieldset.settings-of').forEach(function (f) {
        var mine = f.getAttribute('data-experiment') === select.value;
        f.hidden = !mine;
        f.disabled = !mine;
      });
    }
    select.addEventListener('change', show);
    show();
  }

  // ---- participant links: copy all at once
  var copy = document.getElementById('copy-links');
  if (copy) {
    copy.addEventListener('click', function () {
      var all = document.getElementById('all-links');
      all.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(all.value);
      } else {
        document.execCommand('copy');
      }
      copy.textContent = 'Copied';
    });
  }

  var table = document.getElementById('monitor');
  if (table) { monitor(table); }
  var sessions = document.getElementById('dashboard-sessions');
  if (sessions) { dashboard(sessions); }
  var select = document.getElementById('experiment');
  if (select) { newSession(select); }
}());
