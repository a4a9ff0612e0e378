package org.neurokernels.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Seeds of the fuzz properties. Every property runs with the fixed seed {@link #SEED} (so a run is the
 * same on every machine) unless {@code -Dneurokernels.fuzz.seed=S} replays seed S (the one jqwik prints
 * for a failure) or {@code -Dneurokernels.fuzz.seed=random} draws a fresh one; {@code
 * -Dneurokernels.fuzz.tries=N} runs N tries per property instead of the suite's default.
 */
public final class FuzzSeeds implements AroundPropertyHook {
    /** The default seed of every fuzz property. */
    public static final String SEED = "20250611";

    /** Registered on a test class, the hook applies to every property in it. */
    @Override
    public PropagationMode propagateTo() { return PropagationMode.ALL_DESCENDANTS; }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String seed = System.getProperty("neurokernels.fuzz.seed");
        if (seed != null && !seed.isBlank()) context.attributes().setSeed(seed.trim().equalsIgnoreCase("random") ? "" : seed.trim());
        String tries = System.getProperty("neurokernels.fuzz.tries");
        if (tries != null && !tries.isBlank()) context.attributes().setTries(Integer.parseInt(tries.trim()));
        return property.execute();
    }
}
