package io.cohort.testkit.mturk;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SigV4 check of a request to {@code POST /}: recomputes the signature with the test key, as the real service
 * does with the requester's key, so a client that signs wrongly (wrong secret, region or service) fails here too.
 */
final class RequestSignature {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "^AWS4-HMAC-SHA256 Credential=([^/,]+)/(\\d{8})/([^/,]+)/([^/,]+)/aws4_request,\\s*SignedHeaders=([^,]+),\\s*Signature=([0-9a-f]{64})$");

    private RequestSignature() {}

    /** Throws the error the real service answers when the signature is absent, for another key, or wrong. */
    static void verify(String method, String path, Headers headers, byte[] body, String accessKeyId, String secretKey) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 Credential=")) {
            throw MTurkError.missingAuthentication();
        }
        if (secretKey == null) return; // presence only, until a test key is set
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) throw MTurkError.invalidSignature("Authorization header is malformed: " + authorization);
        if (!m.group(1).equals(accessKeyId)) throw MTurkError.unrecognizedClient();
        String date = m.group(2), region = m.group(3), service = m.group(4), signedHeaders = m.group(5);
        if (!region.equals("us-east-1") || !service.equals("mturk-requester")) {
            throw MTurkError.invalidSignature(
                    "Credential should be scoped to region 'us-east-1' and service 'mturk-requester', not '" + region
                            + "' and '" + service + "'.");
        }
        String amzDate = headers.getFirst("X-Amz-Date");
        if (amzDate == null || !amzDate.startsWith(date))
            throw MTurkError.invalidSignature("X-Amz-Date is missing or not of " + date + ".");

        StringBuilder canonical =
                new StringBuilder(method).append('\n').append(path).append("\n\n");
        for (String name : signedHeaders.split(";")) {
            List<String> values = headers.get(name);
            if (values == null) throw MTurkError.invalidSignature("Signed header '" + name + "' is missing.");
            canonical
                    .append(name)
                    .append(':')
                    .append(String.join(
                            ",",
                            values.stream()
                                    .map(v -> v.trim().replaceAll(" +", " "))
                                    .toList()))
                    .append('\n');
        }
        canonical.append('\n').append(signedHeaders).append('\n').append(hex(sha256(body)));
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, toSign));
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), m.group(6).getBytes(StandardCharsets.US_ASCII))) {
            throw MTurkError.invalidSignature(
                    "The request signature we calculated does not match the signature you provided. "
                            + "Check your AWS Secret Access Key and signing method.");
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
