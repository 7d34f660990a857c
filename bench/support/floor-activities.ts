/** The floor workflow's only activity: it returns at once, so an activity costs only what Temporal and the SDK cost. */
export const floorActivities = {
  async noop(step: number): Promise<number> {
    return step;
  },
};
export type FloorActivities = typeof floorActivities;
