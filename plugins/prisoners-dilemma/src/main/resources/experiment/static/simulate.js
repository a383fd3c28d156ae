/*
 * Plays the prisoner's dilemma with no human, on a session made with "simulate" (the simulation plugin loads this
 * file on every page, after setting window.cohort.currentPage to "prisoners-dilemma/<page>", I(id) to
 * document.getElementById and cohort.submitPage() to send the form). Each round it cooperates or defects at random; wait pages move on by themselves when
 * the partner has chosen, and the end page asks nothing.
 */
(function () {
  'use strict';

  var page = window.cohort.currentPage.replace(/^prisoners-dilemma\//, '');
  var round = /^decide-(\d)$/.exec(page);
  if (round) {
    var options = document.querySelectorAll('input[name="choice_' + round[1] + '"]');
    options[Math.floor(Math.random() * options.length)].checked = true;
    window.cohort.submitPage();
  } else if (page === 'welcome' || /^result-\d$/.test(page)) {
    window.cohort.submitPage();
  }
})();
