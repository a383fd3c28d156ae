// A browser participant who answers by itself, for the tests of nodes behind a proxy: opened with #dwell=MS, the tab
// stays MS on each page, types the step's number and presses Next, as a person would (the real form, a real submit).
// The tab remembers the dwell (sessionStorage) for the pages after the first.
(function () {
  var given = /dwell=(\d+)/.exec(location.hash);
  if (given) {
    sessionStorage.setItem("relay.dwell", given[1]);
  }
  var dwell = Number(sessionStorage.getItem("relay.dwell"));
  if (!dwell) {
    return;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[name^=step]");
    var next = document.getElementById("cohort-next");
    if (!input || !next) {
      return;
    }
    setTimeout(function () {
      input.value = input.name.substring(4);
      next.click();
    }, dwell);
  });
})();
