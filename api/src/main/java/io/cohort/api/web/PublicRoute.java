package io.cohort.api.web;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: pages anyone may open, with no admin login (a crowd market's landing route). Register it
 * with {@value #PATH} (e.g. {@code /mturk}, served there and below; host paths such as {@code /admin},
 * {@code /api}, {@code /p} are refused). {@link PageRequest#user()} is null. Whatever grants access (a token
 * in the URL) the route checks itself.
 */
@ConsumerType
public interface PublicRoute {

    String PATH = "cohort.public.path";

    Reply handle(PageRequest request) throws Exception;

    /**
     * A page from the contributing bundle's templates (standalone HTML, escaped by default) or a redirect.
     *
     * @param redirectTo a path on this server or an absolute http(s) URL; null to render {@code template}
     */
    record Reply(int status, String template, Map<String, Object> model, String redirectTo) {

        public static Reply page(int status, String template, Map<String, Object> model) {
            return new Reply(status, template, model, null);
        }

        public static Reply redirect(String to) {
            return new Reply(303, null, Map.of(), to);
        }
    }
}
