package org.neurokernels;

/** A kernel program failed to compile or load on a device; {@link #buildLog()} holds the compiler's log. */
public class KernelBuildException extends NeurokernelsException {
    private final String buildLog;

    public KernelBuildException(String message, String buildLog) {
        super(message + (buildLog == null || buildLog.isBlank() ? "" : "\n--- build log ---\n" + buildLog));
        this.buildLog = buildLog == null ? "" : buildLog;
    }

    public String buildLog() { return buildLog; }
}
