/*
 * Plays the Stroop task with no human, on a session made with "simulate" (the simulation plugin loads this file on
 * every page, after setting window.cohort.currentPage to "stroop/<page>", I(id) to document.getElementById and
 * cohort.submitPage() to send the form).
 * Consent ticks the box, the task presses the key each word asks for (#stimulus's data-expected), the debrief
 * leaves a comment; each form is then sent as a participant would send it.
 */
(function () {
  'use strict';

  function pressExpectedKeys() {
    var stimulus = I('stimulus');
    var answered = '0';
    setInterval(function () {
      var expected = stimulus.dataset.expected;
      if (expected && stimulus.dataset.trial !== answered) {
        answered = stimulus.dataset.trial;
        document.dispatchEvent(new KeyboardEvent('keydown', {key: expected, bubbles: true}));
      }
    }, 20);
  }

  switch (window.cohort.currentPage) {
    case 'stroop/consent':
      I('f-agree').checked = true;
      window.cohort.submitPage();
      break;
    case 'stroop/instructions':
      window.cohort.submitPage();
      break;
    case 'stroop/task':
      pressExpectedKeys();
      break;
    case 'stroop/debrief':
      I('f-comments').value = 'Simulated by simulate.js';
      window.cohort.submitPage();
      break;
  }
})();
