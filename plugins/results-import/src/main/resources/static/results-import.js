// The host passes plugin pages form fields, not multipart uploads: a chosen file is read here into the textarea
// (and its name into the name field), and sent as text. The page may have no inline handlers (the admin's CSP).
(function () {
  var chooser = document.getElementById('results-file');
  if (chooser) {
    chooser.addEventListener('change', function () {
      var file = chooser.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        document.getElementById('results-text').value = reader.result;
        var name = document.getElementById('results-name');
        if (!name.value) name.value = file.name;
      };
      reader.readAsText(file);
    });
  }
  // While an import runs, its page is loaded again every two seconds to show the batches' progress.
  var state = document.getElementById('import-state');
  if (state && state.textContent.trim() === 'running') {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
