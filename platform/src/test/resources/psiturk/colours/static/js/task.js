/* A psiTurk task written against psiturk.js's API, as psiTurk's example is. */
var psiTurk = new PsiTurk(uniqueId, adServerLoc, mode);

var pages = ["instructions/instruct-1.html", "instructions/instruct-2.html", "stage.html", "postquestionnaire.html"];
var instructionPages = ["instructions/instruct-1.html", "instructions/instruct-2.html"];
psiTurk.preloadPages(pages);

var COLOURS = ["red", "blue", "red"];

var ColourExperiment = function () {
    var trial = 0, shownAt;
    var next = function () {
        if (trial === COLOURS.length) {
            return finish();
        }
        document.getElementById("patch").textContent = COLOURS[trial];
        shownAt = new Date().getTime();
    };
    var answer = function (said) {
        var colour = COLOURS[trial];
        psiTurk.recordTrialData({phase: "TEST", colour: colour, said: said,
            correct: (said === "yes") === (colour === "red"), rt: new Date().getTime() - shownAt});
        trial += 1;
        next();
    };
    var finish = function () {
        currentview = new Questionnaire();
    };
    psiTurk.showPage("stage.html");
    document.getElementById("yes").addEventListener("click", function () { answer("yes"); });
    document.getElementById("no").addEventListener("click", function () { answer("no"); });
    next();
};

var Questionnaire = function () {
    psiTurk.showPage("postquestionnaire.html");
    psiTurk.recordTrialData({phase: "postquestionnaire", status: "begin"});
    document.getElementById("finish").addEventListener("click", function () {
        psiTurk.recordUnstructuredData("age", document.getElementById("age").value);
        psiTurk.recordUnstructuredData("comments", document.getElementById("comments").value);
        psiTurk.recordTrialData({phase: "postquestionnaire", status: "submit"});
        psiTurk.saveData({
            success: function () {
                psiTurk.computeBonus("compute_bonus", function () {
                    psiTurk.completeHIT();
                });
            },
            error: function () { document.body.textContent = "Could not save; please try again."; }
        });
    });
};

var currentview;
window.addEventListener("load", function () {
    psiTurk.doInstructions(instructionPages, function () { currentview = new ColourExperiment(); });
});
