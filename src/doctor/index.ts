/** `ariadne doctor`: end-to-end checks of a running server's receivers, read back through its query API. */
export { DOCTOR_CREDENTIAL_FLAGS, createDoctorCredentials, formatReport, runDoctor } from './doctor.js';
export type { CheckResult, DoctorCredentialsOptions, DoctorOptions, DoctorTarget } from './doctor.js';
export { DOCTOR_SERVICE } from './probes.js';
