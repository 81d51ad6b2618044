/** The kernel's version: extensions declare the semver range of it they support. */
export const KERNEL_VERSION = '1.0.0';
