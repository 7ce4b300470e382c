// Many epubcheck runs in one JVM, for the tests: a JVM start and epubcheck's schema loading cost
// seconds of CPU each, and the end-to-end lane checks a dozen EPUBs or more.
//
// Run with the JRE's source launcher (no javac needed):
//   java -cp /usr/share/java/epubcheck.jar test/support/EpubcheckServer.java
// Each line on stdin is one epubcheck command line, its arguments separated by tabs (usually just
// the EPUB's path). For each, epubcheck's own command-line tool runs in this JVM with the same
// arguments, and one line answers it on stdout:
//   <exit code> <base64 of what it printed on stdout> <base64 of what it printed on stderr>
// so the caller sees exactly what `java -jar epubcheck.jar ARGS` prints and returns. The process
// ends when stdin closes (its caller exited, however it exited).
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

public class EpubcheckServer {
  public static void main(String[] argv) throws Exception {
    PrintStream answer = System.out;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) continue;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try {
        // A fresh checker per run, as the command-line tool makes one per process.
        code = new EpubChecker().run(line.split("\t"));
      } catch (Throwable t) {
        t.printStackTrace();
        code = 3;
      } finally {
        System.out.flush();
        System.err.flush();
        System.setOut(answer);
        System.setErr(answer);
      }
      Base64.Encoder b64 = Base64.getEncoder();
      answer.println(code + " " + b64.encodeToString(out.toByteArray()) + " " + b64.encodeToString(err.toByteArray()));
      answer.flush();
    }
  }
}
