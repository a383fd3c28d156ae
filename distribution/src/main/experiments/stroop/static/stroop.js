/*
 * The Stroop task of the "task" page.
 *
 * Runs settings.trials words (24 if unset) in two blocks: congruent (the word names its ink) and incongruent (it
 * names another colour). The condition orders them: "congruent-first" (also the default) or "incongruent-first".
 * Each answer is appended to the field "trials" as {trial, word, colour, congruent, key, correct, rt_ms}; at the end
 * the page saves accuracy (share of correct answers, 0..1) and mean_rt_ms (mean response time of the correct
 * answers, null if none) and moves on. A reload starts the task again; the history keeps every answer given.
 *
 * For tests and bots: #stimulus carries data-expected, the key the word on screen asks for (empty between words),
 * and data-trial, the number of that word (1-based); keys are read on document.
 */
(function () {
  'use strict';

  var COLOURS = [
    {name: 'red', key: 'r', ink: '#d00000'},
    {name: 'green', key: 'g', ink: '#008000'},
    {name: 'blue', key: 'b', ink: '#0000cc'},
    {name: 'yellow', key: 'y', ink: '#d4a000'}
  ];
  var GAP_MS = 300; // blank screen before each word

  function shuffle(items) {
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
    return items;
  }

  function pick(items) {
    return items[Math.floor(Math.random() * items.length)];
  }

  /** n trials, each word equally often; the ink is the word's colour or, if incongruent, another one. */
  function block(n, congruent) {
    var trials = [];
    for (var i = 0; i < n; i++) {
      var word = COLOURS[i % COLOURS.length];
      var ink = congruent ? word : pick(COLOURS.filter(function (c) { return c !== word; }));
      trials.push({word: word, ink: ink, congruent: congruent});
    }
    return shuffle(trials);
  }

  function plan(total, condition) {
    var congruentFirst = condition !== 'incongruent-first';
    var first = Math.ceil(total / 2);
    return block(first, congruentFirst).concat(block(total - first, !congruentFirst));
  }

  function start() {
    var root = document.getElementById('stroop');
    var stimulus = document.getElementById('stimulus');
    var progress = document.getElementById('stroop-progress');
    var settings = window.cohort && window.cohort.settings ? window.cohort.settings : {};
    var total = parseInt(settings.trials != null ? settings.trials : root.dataset.trials, 10);
    var trials = plan(total > 0 ? total : 24, root.dataset.condition);
    var index = -1;
    var shownAt = 0;
    var answers = [];
    var appends = [];

    function next() {
      index++;
      if (index >= trials.length) {
        finish();
        return;
      }
      var trial = trials[index];
      stimulus.textContent = trial.word.name.toUpperCase();
      stimulus.style.color = trial.ink.ink;
      stimulus.dataset.trial = String(index + 1);
      stimulus.dataset.expected = trial.ink.key;
      progress.textContent = (index + 1) + ' / ' + trials.length;
      shownAt = performance.now();
    }

    function answer(event) {
      var expected = stimulus.dataset.expected;
      var key = (event.key || '').toLowerCase();
      if (!expected || event.repeat || event.ctrlKey || event.metaKey || event.altKey
          || !COLOURS.some(function (c) { return c.key === key; })) {
        return;
      }
      event.preventDefault();
      var trial = trials[index];
      var record = {
        trial: index + 1,
        word: trial.word.name,
        colour: trial.ink.name,
        congruent: trial.congruent,
        key: key,
        correct: key === expected,
        rt_ms: Math.round(performance.now() - shownAt)
      };
      answers.push(record);
      appends.push(window.cohort.append('trials', record));
      stimulus.dataset.expected = '';
      stimulus.textContent = '';
      setTimeout(next, GAP_MS);
    }

    function finish() {
      document.removeEventListener('keydown', answer);
      progress.textContent = 'Saving your answers…';
      var correct = answers.filter(function (a) { return a.correct; });
      var accuracy = answers.length ? Math.round(1000 * correct.length / answers.length) / 1000 : 0;
      var meanRt = correct.length
          ? Math.round(correct.reduce(function (sum, a) { return sum + a.rt_ms; }, 0) / correct.length) : null;
      Promise.all(appends)
          .then(function () { return window.cohort.save({accuracy: accuracy, mean_rt_ms: meanRt}); })
          .then(function () { return window.cohort.next(); })
          .catch(function (error) {
            progress.textContent = 'Your answers could not be saved (' + error + '). Please reload the page.';
          });
    }

    document.addEventListener('keydown', answer);
    setTimeout(next, GAP_MS);
  }

  // On load, so cohort.js has run wherever the layout puts it.
  if (document.readyState === 'complete') {
    start();
  } else {
    window.addEventListener('load', start);
  }
})();
