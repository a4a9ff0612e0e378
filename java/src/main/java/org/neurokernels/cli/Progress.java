package org.neurokernels.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress bars for long CLI commands: on standard error, and only when it is a terminal, so that output
 * piped into a file or another program holds the tables and nothing else. Java cannot ask whether standard
 * error alone is a terminal, so the launcher, which can, passes {@code -Dneurokernels.progress=true|false};
 * without it a bar is drawn only when the JVM has a console (standard input and output are terminals).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) { this.bar = bar; }

    /** Whether bars are drawn: the {@code neurokernels.progress} property if set, else whether there is a console. */
    static boolean enabled() {
        String p = System.getProperty("neurokernels.progress");
        if (p != null) return Boolean.parseBoolean(p);
        return System.console() != null;
    }

    /** A bar of {@code max} steps named {@code task}, or one that draws nothing when bars are off. */
    static Progress start(String task, long max) {
        if (!enabled()) return new Progress(null);
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build());
    }

    void step() {
        if (bar != null) bar.step();
    }

    @Override public void close() {
        if (bar != null) bar.close();
    }
}
