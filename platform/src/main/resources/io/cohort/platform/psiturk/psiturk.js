/*
 * Cohort's psiturk.js: psiTurk's public API for experiments written against it, served at /static/js/psiturk.js in
 * place of the project's own copy. It needs no library (psiTurk's needed jQuery, Underscore and Backbone) and speaks
 * psiTurk's protocol to Cohort: GET and PUT /sync/<uniqueId> (the datastring), POST /inexp, POST /quitter,
 * /complete. Differences on purpose: computeBonus calls its callback even when the route is missing or fails (a
 * missing custom.py route must not strand a participant), and leaving the page is reported with sendBeacon.
 */
(function (global) {
    "use strict";

    function request(method, url, body, async, done) {
        var xhr = new XMLHttpRequest();
        xhr.open(method, url, async);
        if (body !== null) {
            xhr.setRequestHeader("Content-Type", typeof body === "string" && body.charAt(0) === "{"
                ? "application/json" : "application/x-www-form-urlencoded");
        }
        xhr.onreadystatechange = function () {
            if (xhr.readyState === 4 && done) {
                done(xhr.status >= 200 && xhr.status < 300, xhr);
            }
        };
        xhr.send(body);
        return xhr;
    }

    function form(fields) {
        return Object.keys(fields).map(function (k) {
            return encodeURIComponent(k) + "=" + encodeURIComponent(fields[k]);
        }).join("&");
    }

    /* The task's data, with Backbone's get/set/save/fetch so code reaching into psiTurk.taskdata keeps working. */
    function TaskData(id) {
        this.id = id;
        this.attributes = {
            condition: 0, counterbalance: 0, assignmentId: 0, workerId: 0, hitId: 0, currenttrial: 0,
            bonus: 0, data: [], questiondata: {}, eventdata: [], useragent: navigator.userAgent
        };
    }
    TaskData.prototype.get = function (key) { return this.attributes[key]; };
    TaskData.prototype.set = function (key, value) {
        if (typeof key === "object") {
            for (var k in key) { if (Object.prototype.hasOwnProperty.call(key, k)) { this.attributes[k] = key[k]; } }
        } else {
            this.attributes[key] = value;
        }
        return this;
    };
    TaskData.prototype.toJSON = function () {
        var copy = {};
        for (var k in this.attributes) { copy[k] = this.attributes[k]; }
        copy.uniqueid = this.id;
        return copy;
    };
    TaskData.prototype.url = function () { return "/sync/" + encodeURIComponent(this.id); };
    TaskData.prototype.fetch = function () {
        var self = this;
        request("GET", this.url(), null, false, function (ok, xhr) {
            if (ok) { self.set(JSON.parse(xhr.responseText)); }
        });
        if (!Array.isArray(this.attributes.data)) { this.attributes.data = []; }
        if (!Array.isArray(this.attributes.eventdata)) { this.attributes.eventdata = []; }
        if (typeof this.attributes.questiondata !== "object" || this.attributes.questiondata === null) {
            this.attributes.questiondata = {};
        }
    };
    TaskData.prototype.save = function (attrs, callbacks) {
        var self = this;
        if (attrs) { this.set(attrs); }
        callbacks = callbacks || {};
        request("PUT", this.url(), JSON.stringify(this.toJSON()), true, function (ok, xhr) {
            var answer = null;
            try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = xhr.responseText; }
            if (ok && callbacks.success) { callbacks.success(self, answer); }
            if (!ok && callbacks.error) { callbacks.error(self, xhr); }
        });
    };
    TaskData.prototype.addTrialData = function (trialdata) {
        this.attributes.data.push({
            uniqueid: this.id, current_trial: this.attributes.currenttrial,
            dateTime: new Date().getTime(), trialdata: trialdata
        });
        this.attributes.currenttrial += 1;
    };
    TaskData.prototype.addUnstructuredData = function (field, response) {
        this.attributes.questiondata[field] = response;
    };
    TaskData.prototype.addEvent = function (eventtype, value) {
        var events = this.attributes.eventdata, now = new Date().getTime();
        var interval = events.length === 0 ? 0 : now - events[events.length - 1].timestamp;
        events.push({eventtype: eventtype, value: value, timestamp: now, interval: interval});
    };

    var PsiTurk = function (uniqueId, adServerLoc, mode) {
        var self = this;
        uniqueId = uniqueId || global.uniqueId;
        adServerLoc = adServerLoc || global.adServerLoc || "/complete";
        mode = mode || global.mode || "debug";
        var instructions = null;
        var listeners = {};

        function on(name, fn) { (listeners[name] = listeners[name] || []).push(fn); }
        function trigger(name, arg) { (listeners[name] || []).forEach(function (fn) { fn(arg); }); }

        var taskdata = new TaskData(uniqueId);
        taskdata.fetch();
        taskdata.addEvent("initialized", null);
        taskdata.addEvent("window_resize", [global.innerWidth, global.innerHeight]);

        self.taskdata = taskdata;
        self.pages = {};

        self.preloadImages = function (names) {
            (names || []).forEach(function (name) { new Image().src = name; });
        };

        /* Loads the pages before it returns (as psiTurk 2 did) and gives a promise (as psiTurk 3 does). */
        self.preloadPages = function (names) {
            (names || []).forEach(function (name) {
                request("GET", name, null, false, function (ok, xhr) {
                    if (ok) { self.pages[name] = xhr.responseText; }
                });
            });
            return typeof Promise === "undefined" ? undefined : Promise.resolve();
        };

        self.getPage = function (name) { return self.pages[name]; };

        /* Shows a preloaded page in place of the body, running its scripts as jQuery's html() did. */
        self.showPage = function (name) {
            var html = self.getPage(name);
            if (html === undefined) {
                throw new Error("psiturk.js: page '" + name + "' was not preloaded");
            }
            document.body.innerHTML = html;
            Array.prototype.slice.call(document.body.querySelectorAll("script")).forEach(function (old) {
                var run = document.createElement("script");
                Array.prototype.slice.call(old.attributes).forEach(function (a) { run.setAttribute(a.name, a.value); });
                run.text = old.text;
                old.parentNode.replaceChild(run, old);
            });
        };

        self.recordTrialData = function (trialdata) { taskdata.addTrialData(trialdata); };
        self.recordUnstructuredData = function (field, value) { taskdata.addUnstructuredData(field, value); };
        self.recordBonus = function (bonus) { taskdata.set("bonus", bonus); };
        self.saveData = function (callbacks) { taskdata.save(undefined, callbacks); };

        function leaving(event) {
            self.saveData();
            var body = form({uniqueId: uniqueId});
            if (navigator.sendBeacon) {
                navigator.sendBeacon("/quitter", new Blob([body], {type: "application/x-www-form-urlencoded"}));
            } else {
                request("POST", "/quitter", body, false, null);
            }
            var message = "By leaving this page, you opt out of the experiment.";
            if (event) { event.returnValue = message; }
            return message;
        }

        self.startTask = function () {
            self.saveData();
            request("POST", "/inexp", form({uniqueId: uniqueId}), true, null);
            global.addEventListener("beforeunload", leaving);
        };

        self.finishInstructions = function (message) { trigger("finishedinstructions", message); };
        self.teardownTask = function (message) { trigger("finishedtask", message); };

        self.doInstructions = function (pages, callback) {
            var current = 0, shownAt = 0;
            function record(action, index) {
                self.recordTrialData({phase: "INSTRUCTIONS", template: pages[index], indexOf: index,
                    action: action, viewTime: new Date().getTime() - shownAt});
            }
            function show() {
                self.showPage(pages[current]);
                shownAt = new Date().getTime();
                Array.prototype.slice.call(document.querySelectorAll(".continue")).forEach(function (b) {
                    b.addEventListener("click", next);
                });
                if (current > 0) {
                    Array.prototype.slice.call(document.querySelectorAll(".previous")).forEach(function (b) {
                        b.addEventListener("click", previous);
                    });
                }
            }
            function next() {
                if (current === pages.length - 1) {
                    record("FinishInstructions", current);
                    self.finishInstructions();
                    callback();
                } else {
                    record("NextPage", current);
                    current += 1;
                    show();
                }
            }
            function previous() {
                if (current > 0) {
                    record("PrevPage", current);
                    current -= 1;
                    show();
                }
            }
            instructions = {
                getIndicator: function () {
                    return {currently_viewing: {indexOf: current, template: pages[current]},
                        instruction_deck: {total_pages: pages.length, templates: pages}};
                }
            };
            self.recordTrialData({phase: "INSTRUCTIONS", templates: pages, action: "Begin"});
            show();
        };

        self.getInstructionIndicator = function () {
            return instructions ? instructions.getIndicator() : undefined;
        };

        /* Asks the server for the bonus; the callback runs whatever the answer, so no participant is stranded. */
        self.computeBonus = function (url, callback) {
            request("GET", url + (url.indexOf("?") < 0 ? "?" : "&") + form({uniqueId: uniqueId}), null, true,
                function () { if (callback) { callback(); } });
        };

        self.completeHIT = function () {
            self.teardownTask();
            global.location = adServerLoc + "?uniqueId=" + encodeURIComponent(uniqueId) + "&mode=" + mode;
        };

        on("finishedinstructions", self.startTask);
        on("finishedtask", function () { global.removeEventListener("beforeunload", leaving); });
        global.addEventListener("blur", function () { taskdata.addEvent("focus", "off"); });
        global.addEventListener("focus", function () { taskdata.addEvent("focus", "on"); });
        var resizing = null;
        global.addEventListener("resize", function () {
            if (resizing) { clearTimeout(resizing); }
            resizing = setTimeout(function () {
                taskdata.addEvent("window_resize", [global.innerWidth, global.innerHeight]);
            }, 200);
        });
        return self;
    };

    global.PsiTurk = PsiTurk;
})(window);
