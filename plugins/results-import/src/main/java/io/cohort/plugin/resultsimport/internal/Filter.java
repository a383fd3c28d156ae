package io.cohort.plugin.resultsimport.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which rows of a results file are kept: an expression over the row's columns, parsed here and evaluated over the
 * cells, never run as code. Grammar: {@code or := and ("or" and)*}, {@code and := not ("and" not)*},
 * {@code not := "not" not | compare}, {@code compare := value (("=="|"!="|"<"|"<="|">"|">=") value)?},
 * {@code value := column | "string" | 'string' | number | "(" or ")"}. Two values compare as numbers when both are
 * numbers, as text otherwise; a value alone is true unless empty, 0, false or no; a column the file lacks is empty.
 */
final class Filter {

    /** nodegame-mturk's default: bots and rows marked to skip are not paid. */
    static final String DEFAULT = "type != \"bot\" and not skip";

    private final String source;
    private final Node root;

    private Filter(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /** @throws IllegalArgumentException "filter: position N: ..." (1-based) */
    static Filter parse(String source) {
        List<Token> tokens = tokens(source);
        Parser parser = new Parser(tokens);
        Node root = parser.or();
        Token rest = parser.peek();
        if (rest.kind != Kind.END) {
            throw error(rest, "expected and, or or the end, found " + rest.describe());
        }
        return new Filter(source, root);
    }

    String source() {
        return source;
    }

    boolean keeps(Map<String, String> cells, boolean ignoreCase) {
        return ResultRow.truthy(root.value(new Cells(cells, ignoreCase)));
    }

    // ---- evaluation

    private record Cells(Map<String, String> cells, boolean ignoreCase) {
        String get(String column) {
            String v = cells.get(column);
            if (v == null && ignoreCase) {
                for (Map.Entry<String, String> e : cells.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(column)) {
                        v = e.getValue();
                        break;
                    }
                }
            }
            return v == null ? "" : v.strip();
        }
    }

    /** Every node yields text; comparisons and logic yield "true" or "false". */
    private interface Node {
        String value(Cells row);
    }

    private record Literal(String text) implements Node {
        public String value(Cells row) {
            return text;
        }
    }

    private record Column(String name) implements Node {
        public String value(Cells row) {
            return row.get(name);
        }
    }

    private record Not(Node inner) implements Node {
        public String value(Cells row) {
            return String.valueOf(!ResultRow.truthy(inner.value(row)));
        }
    }

    private record Logic(boolean and, Node left, Node right) implements Node {
        public String value(Cells row) {
            boolean l = ResultRow.truthy(left.value(row));
            if (and ? !l : l) {
                return String.valueOf(l);
            }
            return String.valueOf(ResultRow.truthy(right.value(row)));
        }
    }

    private record Compare(String op, Node left, Node right) implements Node {
        public String value(Cells row) {
            String a = left.value(row);
            String b = right.value(row);
            BigDecimal x = number(a);
            BigDecimal y = number(b);
            int c = x != null && y != null ? x.compareTo(y) : a.compareTo(b);
            boolean result = switch (op) {
                case "==" -> c == 0;
                case "!=" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                default -> c >= 0;
            };
            return String.valueOf(result);
        }
    }

    private static BigDecimal number(String text) {
        try {
            return text.isEmpty() ? null : new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- parsing

    private enum Kind {
        WORD,
        STRING,
        NUMBER,
        OP,
        OPEN,
        CLOSE,
        END
    }

    private record Token(Kind kind, String text, int position) {
        String describe() {
            return switch (kind) {
                case END -> "the end";
                case STRING -> "\"" + text + "\"";
                default -> "'" + text + "'";
            };
        }

        boolean word(String w) {
            return kind == Kind.WORD && text.toLowerCase(Locale.ROOT).equals(w);
        }
    }

    private static IllegalArgumentException error(Token at, String what) {
        return new IllegalArgumentException("filter: position " + at.position + ": " + what);
    }

    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int at = i + 1;
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                out.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), at));
                i++;
            } else if (c == '"' || c == '\'') {
                int close = s.indexOf(c, i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("filter: position " + at + ": the string is not closed");
                }
                out.add(new Token(Kind.STRING, s.substring(i + 1, close), at));
                i = close + 1;
            } else if ("=!<>".indexOf(c) >= 0) {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (two.equals("==") || two.equals("!=") || two.equals("<=") || two.equals(">=")) {
                    out.add(new Token(Kind.OP, two, at));
                    i += 2;
                } else if (c == '<' || c == '>') {
                    out.add(new Token(Kind.OP, String.valueOf(c), at));
                    i++;
                } else {
                    throw new IllegalArgumentException(
                            "filter: position " + at + ": '" + c + "' is not an operator (use == != < <= > >=)");
                }
            } else if (Character.isDigit(c)
                    || (c == '-' || c == '.') && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                int j = i + 1;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                String number = s.substring(i, j);
                if (number(number) == null) {
                    throw new IllegalArgumentException("filter: position " + at + ": '" + number + "' is not a number");
                }
                out.add(new Token(Kind.NUMBER, number, at));
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || "_.-".indexOf(s.charAt(j)) >= 0)) {
                    j++;
                }
                out.add(new Token(Kind.WORD, s.substring(i, j), at));
                i = j;
            } else {
                throw new IllegalArgumentException("filter: position " + at + ": '" + c + "' is not allowed here");
            }
        }
        out.add(new Token(Kind.END, "", s.length() + 1));
        return out;
    }

    private static final class Parser {
        private final List<Token> tokens;
        private int next;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Token peek() {
            return tokens.get(next);
        }

        Node or() {
            Node left = and();
            while (peek().word("or")) {
                next++;
                left = new Logic(false, left, and());
            }
            return left;
        }

        Node and() {
            Node left = not();
            while (peek().word("and")) {
                next++;
                left = new Logic(true, left, not());
            }
            return left;
        }

        Node not() {
            if (peek().word("not")) {
                next++;
                return new Not(not());
            }
            Node left = value();
            if (peek().kind == Kind.OP) {
                String op = tokens.get(next++).text;
                return new Compare(op, left, value());
            }
            return left;
        }

        Node value() {
            Token t = tokens.get(next);
            switch (t.kind) {
                case STRING, NUMBER -> {
                    next++;
                    return new Literal(t.text);
                }
                case WORD -> {
                    if (t.word("and") || t.word("or") || t.word("not")) {
                        throw error(t, "expected a column, a string or a number, found " + t.describe());
                    }
                    next++;
                    return new Column(t.text);
                }
                case OPEN -> {
                    next++;
                    Node inner = or();
                    Token close = peek();
                    if (close.kind != Kind.CLOSE) {
                        throw error(
                                close,
                                "expected ')' to close the '(' at position " + t.position + ", found "
                                        + close.describe());
                    }
                    next++;
                    return inner;
                }
                default -> throw error(t, "expected a column, a string or a number, found " + t.describe());
            }
        }
    }
}
