package io.cortex4j.cuda;

import io.cortex4j.tensor.Backend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A view of a {@link Backend} whose {@code close()} does nothing. JUnit closes every
 * {@link AutoCloseable} argument of a parameterized test after each invocation (Backend is one), so
 * a backend shared by all cases of a suite is handed to them through this view and closed once by
 * the suite's {@code @AfterAll}.
 */
final class NonClosingBackend {
    private NonClosingBackend() {}

    static Backend of(Backend b) {
        return (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                    if (m.getName().equals("close") && m.getParameterCount() == 0) return null;
                    try {
                        return m.invoke(b, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
