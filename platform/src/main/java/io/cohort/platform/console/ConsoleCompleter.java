package io.cohort.platform.console;

import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * TAB: the command names, then a command's options and first words (get HITStatus, show Summary), and the ids
 * Cohort knows at that moment: HIT ids where a HIT is asked for, qualification type ids after --qualification.
 */
final class ConsoleCompleter implements Completer {

    private final ConsoleSession session;

    ConsoleCompleter(ConsoleSession session) {
        this.session = session;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        if (index == 0) {
            ConsoleSession.COMMANDS.keySet().forEach(c -> candidates.add(new Candidate(c)));
            return;
        }
        ConsoleSession.Spec spec = ConsoleSession.COMMANDS.get(words.get(0));
        if (spec == null) {
            return;
        }
        String previous = words.get(index - 1);
        if (previous.equals("--qualification")) {
            session.qualificationTypeIdsForCompletion().forEach(id -> candidates.add(new Candidate(id)));
            return;
        }
        if (previous.equals("--hit")) {
            session.hitIdsForCompletion().forEach(id -> candidates.add(new Candidate(id)));
            return;
        }
        if (spec.options().contains(previous)) {
            return; // a value the lab types
        }
        if (index == 1) {
            spec.words().forEach(w -> candidates.add(new Candidate(w)));
            if (spec.name().equals("help")) {
                ConsoleSession.COMMANDS.keySet().forEach(c -> candidates.add(new Candidate(c)));
            }
        }
        boolean hitArgument = spec.name().equals("extendHIT")
                || spec.name().equals("expireHIT")
                || (spec.name().equals("get") && index == 2 && previous.equals("HITStatus"));
        if (hitArgument) {
            session.hitIdsForCompletion().forEach(id -> candidates.add(new Candidate(id)));
        }
        spec.options().forEach(o -> candidates.add(new Candidate(o)));
        spec.flags().forEach(f -> candidates.add(new Candidate(f)));
    }
}
