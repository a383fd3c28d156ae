package io.cohort.platform.psiturk;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code cohort import-psiturk DIR}: a psiTurk project copied into {@code experiments/}, for labs who would rather
 * copy than drop the folder in themselves. The project is read first, as the catalog reads it; a project with
 * problems is not copied at all, and a copy lands under its final name in one rename, never half-written.
 */
public final class PsiturkImport {

    /** The project cannot be imported; nothing was copied. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private PsiturkImport() {}

    /**
     * @param name the experiment's name in Cohort; null for the folder's own name
     * @return where it was copied
     */
    public static Path run(Path source, Path experiments, String name, PrintStream out) throws Refused, IOException {
        Path dir = source.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(PsiturkProject.CONFIG))) {
            throw new Refused(dir + ": not a psiTurk project (there is no " + PsiturkProject.CONFIG + ")");
        }
        String as = name != null ? name : dir.getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "-");
        if (!as.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new Refused("name: '" + as + "' may hold only letters, digits, '.', '_' and '-'");
        }
        PsiturkProject project;
        try {
            project = PsiturkProject.read(dir, as, dir.toString());
        } catch (PsiturkProject.Invalid e) {
            throw new Refused("nothing was copied; fix these first:\n  " + String.join("\n  ", e.problems()));
        }
        Path target = experiments.resolve(as);
        if (Files.exists(target)) {
            throw new Refused(target + ": already exists; remove it or choose another --name");
        }
        Files.createDirectories(experiments);
        Path partial = Files.createTempDirectory(experiments, "." + as + ".importing-");
        int files = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.toList()) {
                Path to = partial.resolve(dir.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                    files++;
                }
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            delete(partial);
            if (e instanceof FileAlreadyExistsException) {
                throw new Refused(target + ": appeared while copying; nothing was changed");
            }
            throw e;
        }
        PsiturkConfig config = project.config();
        out.printf("Imported '%s' into %s (%d files)%n", as, target, files);
        out.printf("  title:          %s%n", config.title(as));
        out.printf("  code version:   %s%n", config.codeVersion());
        out.printf(
                "  conditions:     %d x %d counterbalance = %d%n",
                config.conditions(), config.counterbalances(), config.conditions() * config.counterbalances());
        out.printf("  allow repeats:  %s%n", config.allowRepeats());
        out.printf("  reward:         $%d.%02d%n", config.rewardCents() / 100, config.rewardCents() % 100);
        out.printf(
                "  bonus:          %s%n",
                project.bonus() == null ? "none (add " + PsiturkProject.BONUS + " for a rule)" : PsiturkProject.BONUS);
        List<String> notes = project.notes();
        for (String note : notes) {
            out.println("  note: " + note);
        }
        out.println("Open a session of it on the Sessions page; its participants start at /ad (debug: mark the"
                + " session as testing and open /ad?hitId=debug1&assignmentId=debug1&workerId=debug1&mode=debug).");
        return target;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
