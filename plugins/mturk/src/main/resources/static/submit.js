// Sends the worker's form to MTurk at once; the button is there if scripts are off.
document.getElementById('mturk-submit').submit();
