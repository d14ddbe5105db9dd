import { ApiError } from '../http/errors.js';

/** The Containers API's error codes (spec/containers-api-v1.1.txt, "Response HTTP Code"). */
export const ContainersError = {
  InvalidRequestData: 10,
  NotFound: 1001,
  CreationFailed: 1003,
  NotAvailable: 1008,
  CannotResume: 1010,
  WrongState: 1013,
  FileNotFound: 1101,
  FileDenied: 1102,
  FileFailed: 1103,
  BadPath: 1105,
  NotAvailableRead: 1108,
  FileTooLargeRead: 1111,
  ProjectNotFound: 200201,
  ProjectUnavailable: 200510,
  NoSlots: 200611,
  FiledataNotProvided: 202504,
  FileTooLarge: 202511,
  FilepathNotFound: 202601,
  FilepathDenied: 202602,
  FilepathNotProvided: 202604,
  FilepathNotFile: 202612,
  IdsInvalid: 205105,
  IdsTooMany: 205106,
} as const;

const E = ContainersError;

export const workspaceNotFound = (): ApiError =>
  new ApiError(404, E.NotFound, 'workspace not found');
export const submissionNotFound = (): ApiError =>
  new ApiError(404, E.NotFound, 'submission not found');
export const projectNotFound = (): ApiError =>
  new ApiError(404, E.ProjectNotFound, 'project not found');
export const noSlots = (what: 'create' | 'resume'): ApiError =>
  new ApiError(
    409,
    E.NoSlots,
    `not enough free slots to ${what} the workspace: stop or remove a running one first`,
  );
