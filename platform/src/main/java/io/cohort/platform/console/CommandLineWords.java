package io.cohort.platform.console;

import java.util.ArrayList;
import java.util.List;

/** A command line's words: split at spaces, except inside "double" or 'single' quotes; a backslash escapes. */
final class CommandLineWords {

    private CommandLineWords() {}

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && quote != '\'') {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ConsoleError("a quote (" + quote + ") is not closed in: " + line);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
