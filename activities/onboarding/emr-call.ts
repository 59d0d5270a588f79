// Every EMR call of the onboarding activities goes through here: an EMR error becomes an ApplicationFailure
// with the error's stable type (non-retryable for business and contract errors, Retry-After honoured).
import { emrErrorToFailure } from '../../connectors/emr/failure.js';

export async function callEmr<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw emrErrorToFailure(err);
  }
}
