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

  // What plugins add to the page (tabs, monitor columns, participant actions), redrawn when one comes or goes.
  function drawTabs(bar) {
    var nav = document.getElementById('session-tabs');
    if (!nav || !bar) { return; }
    nav.textContent = '';
    bar.tabs.forEach(function (t) {
      var a = document.createElement('a');
      a.href = t.path;
      a.textContent = t.label;
      if (t.current) {
        a.className = 'current';
        a.setAttribute('aria-current', 'page');
      }
      nav.appendChild(a);
    });
  }

  function drawActions(actions) {
    var box = document.getElementById('plugin-actions');
    if (!box) { return; }
    box.textContent = '';
    actions.forEach(function (a) {
      var span = document.createElement('span');
      span.className = 'plugin-action';
      span.setAttribute('data-action', a.name);
      a.parameters.forEach(function (p) {
        var input = document.createElement('input');
        input.type = 'text';
        input.name = a.name + '.' + p;
        input.size = 20;
        input.placeholder = p;
        span.appendChild(input);
        span.appendChild(document.createTextNode(' '));
      });
      var button = document.createElement('button');
      button.setAttribute('formaction', '/admin/actions/' + encodeURIComponent(a.name));
      button.textContent = a.label;
      span.appendChild(button);
      box.appendChild(span);
    });
  }

  function fillCell(td, c) {
    td.textContent = '';
    td.removeAttribute('title');
    if (!c) { return; }
    if (c.title) { td.title = c.title; }
    if (c.link) {
      var a = document.createElement('a');
      a.href = c.link;
      a.textContent = c.text;
      td.appendChild(a);
    } else {
      td.textContent = c.text;
    }
  }

  function monitor(table) {
    var tbody = table.tBodies[0];
    var selectAll = document.getElementById('select-all');
    var columns = [];

    function drawColumns(list) {
      columns = list;
      var head = table.tHead.rows[0];
      head.querySelectorAll('th[data-column]').forEach(function (th) { th.remove(); });
      list.forEach(function (c) {
        var th = document.createElement('th');
        th.setAttribute('data-column', c.name);
        th.textContent = c.label;
        head.appendChild(th);
      });
      tbody.querySelectorAll('td[data-cell]').forEach(function (td) { td.remove(); });
    }

    function showCells(tr, cells) {
      columns.forEach(function (c) {
        var td = tr.querySelector('td[data-cell="' + CSS.escape(c.name) + '"]');
        if (!td) {
          td = document.createElement('td');
          td.setAttribute('data-cell', c.name);
          tr.appendChild(td);
        }
        if (cells && Object.prototype.hasOwnProperty.call(cells, c.name)) {
          fillCell(td, cells[c.name]);
        }
      });
    }

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
      setText(tr, 'name', r.mode === 'bot' ? r.name + ' (bot)' : r.name);
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
      showCells(tr, r.cells);
    }

    function showContributions(c) {
      drawTabs(c.tabs);
      drawColumns(c.columns);
      drawActions(c.actions);
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
        if (m.contributions) { showContributions(m.contributions); }
        m.rows.forEach(showRow);
      } else if (m.type === 'contributions') {
        showContributions(m);
      } else if (m.type === 'cells') {
        Object.keys(m.cells).forEach(function (id) {
          var tr = tbody.querySelector('tr[data-participant="' + CSS.escape(id) + '"]');
          if (tr) { showCells(tr, m.cells[id]); }
        });
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
