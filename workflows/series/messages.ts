// The bookCareSeries process's contract (issue 18 part 3): the front desk books a plan of care's series of
// visits jointly; the API starts the process and answers its result. Workflow type name, input and result.
import type { PlannedSeriesVisit } from '../../activities/series/index.js';
import type { SeriesRequestInput } from '../../domain/scheduling/series.js';

export const BOOK_CARE_SERIES_WORKFLOW_TYPE = 'bookCareSeries' as const;

export interface BookCareSeriesInput {
  seriesId: string;
  practiceId: string;
  patientId: string;
  /** The plan of care's process (`poc:<id>`), for the record; the series is booked for its patient. */
  planOfCareWorkflowId?: string;
  /** The authorization's process: its remaining visits and end date cap the series. */
  authorizationWorkflowId?: string;
  request: Omit<SeriesRequestInput, 'authorization' | 'notBefore'>;
  /** Plan and explain only; book nothing. */
  preview?: boolean;
}

export interface BookedSeriesVisit {
  appointmentId: string;
  emrAppointmentId: string;
  start: string;
  therapistId: string;
  locationId: string;
  equipmentId?: string;
  /** The room it holds a unit of (absent: the location has no rooms). */
  roomId?: string;
}

export interface BookCareSeriesResult {
  seriesId: string;
  outcome: 'booked' | 'partially_booked' | 'nothing_booked' | 'preview';
  requested: number;
  visitMinutes: number;
  authorization?: { visitsRemaining?: number; endDate?: string; status: string };
  /** What was booked (preview: what would be). */
  visits: (BookedSeriesVisit | (PlannedSeriesVisit & { appointmentId?: undefined }))[];
  /** Visits planned but taken by another booking before this one reached them. */
  taken: number;
  /** For the front desk, in plain words. */
  explanation: string[];
}

export type BookCareSeriesWorkflow = (input: BookCareSeriesInput) => Promise<BookCareSeriesResult>;
