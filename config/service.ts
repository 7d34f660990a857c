/** What every long-running piece (relay, simulators, worker) returns when started: where it is and how to stop it. */
export interface RunningService {
  name: string;
  url: string;
  close(): Promise<void>;
}
