package io.cohort.platform.console;

import java.io.PrintWriter;

/**
 * One line redrawn in place ({@code [#####-----]  12/40 paid}), only on a terminal and without --quiet: a pipe or
 * a log file gets the final summary line alone.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean shown;
    private boolean drawn;

    ProgressBar(PrintWriter out, boolean shown) {
        this.out = out;
        this.shown = shown;
    }

    void update(long done, long total, String what) {
        if (!shown || total <= 0) {
            return;
        }
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        // \r back to the line's start, \033[K clears what a longer earlier line left.
        out.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + what
                + "\033[K");
        out.flush();
        drawn = true;
    }

    /** Ends the bar's line, so what follows starts on a fresh one. */
    void finish() {
        if (drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
    }
}
