package io.cohort.testkit.mturk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

/**
 * A request's fields checked as MTurk checks them, each refusal the error MTurk answers with; and MTurk's formats
 * for ids and money (kept in cents here, written as dollars on the wire).
 */
final class RequestFields {

    private static final Pattern ID = Pattern.compile("^[A-Z0-9]{1,64}$");
    private static final Pattern WORKER_ID = Pattern.compile("^A[A-Z0-9]{1,63}$");
    private static final Pattern MONEY = Pattern.compile("^[0-9]+(\\.)?[0-9]{0,2}$");
    private static final String EXTERNAL_QUESTION_NS =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private RequestFields() {}

    /** The ExternalURL of an ExternalQuestion; other question forms are accepted as they are. */
    static String externalUrl(String question) {
        if (!question.contains("ExternalQuestion")) return null;
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = factory.newDocumentBuilder()
                    .parse(new ByteArrayInputStream(question.getBytes(StandardCharsets.UTF_8)));
            var root = doc.getDocumentElement();
            if (!EXTERNAL_QUESTION_NS.equals(root.getNamespaceURI())
                    || !root.getLocalName().equals("ExternalQuestion")) {
                throw new IllegalArgumentException(
                        "root element is not an ExternalQuestion in " + EXTERNAL_QUESTION_NS);
            }
            var urls = root.getElementsByTagNameNS(EXTERNAL_QUESTION_NS, "ExternalURL");
            if (urls.getLength() != 1) throw new IllegalArgumentException("ExternalURL is missing");
            String url = urls.item(0).getTextContent().trim();
            URI uri = URI.create(url);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("ExternalURL '" + url + "' is not an http(s) URL");
            }
            return url;
        } catch (Exception e) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", "Question is not a valid ExternalQuestion: " + e.getMessage());
        }
    }

    static String feedback(JsonNode in) {
        String f = required(in, "RequesterFeedback");
        if (f.length() > 1024) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "RequesterFeedback is longer than 1024 characters.");
        }
        return f;
    }

    static MTurkError missing(String field) {
        return MTurkError.request(
                "AWS.MissingParameters", "Your request is missing a required parameter: " + field + ".");
    }

    static String required(JsonNode in, String field) {
        if (!in.hasNonNull(field) || in.get(field).asText().isEmpty()) throw missing(field);
        return in.get(field).asText();
    }

    static String requireId(JsonNode in, String field) {
        String v = required(in, field);
        if (!ID.matcher(v).matches()) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    field + " '" + v + "' is not a valid ID (^[A-Z0-9]+$, 1-64 characters).");
        }
        return v;
    }

    static String requireWorkerId(JsonNode in, String field) {
        String v = required(in, field);
        requireWorkerId(v);
        return v;
    }

    static void requireWorkerId(String v) {
        if (!WORKER_ID.matcher(v).matches()) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", "WorkerId '" + v + "' is not a valid worker ID (^A[A-Z0-9]+$).");
        }
    }

    static long requiredLong(JsonNode in, String field, long min, long max) {
        if (!in.hasNonNull(field)) throw missing(field);
        return optionalLong(in, field, 0, min, max);
    }

    static long optionalLong(JsonNode in, String field, long absent, long min, long max) {
        if (!in.hasNonNull(field)) return absent;
        JsonNode v = in.get(field);
        if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", field + " " + v + " is out of range (" + min + " to " + max + ").");
        }
        return v.asLong();
    }

    static long parseMoney(JsonNode in, String field) {
        return parseMoney(required(in, field), field);
    }

    static long parseMoney(String v, String field) {
        if (!MONEY.matcher(v).matches()) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    field + " '" + v + "' is not a valid amount (^[0-9]+(\\.)?[0-9]{0,2}$).");
        }
        String[] parts = v.split("\\.", -1);
        String cents = parts.length > 1 ? (parts[1] + "00").substring(0, 2) : "00";
        try {
            return Math.addExact(Math.multiplyExact(Long.parseLong(parts[0]), 100), Long.parseLong(cents));
        } catch (ArithmeticException | NumberFormatException e) {
            throw MTurkError.request("AWS.ParameterOutOfRange", field + " '" + v + "' is too large.");
        }
    }

    static String money(long cents) {
        return (cents < 0 ? "-" : "") + Math.abs(cents) / 100 + "." + String.format("%02d", Math.abs(cents) % 100);
    }

    static double seconds(long millis) {
        return millis / 1000.0;
    }

    static String newId() {
        StringBuilder b = new StringBuilder(30);
        for (int i = 0; i < 30; i++) b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        return b.toString();
    }
}
