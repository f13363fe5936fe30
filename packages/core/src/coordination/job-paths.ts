/**
 * The node layout of one job inside the registry namespace. Everything the scheduler reads or
 * writes is named here, so the layout is documented in one place:
 *
 * /{job}/config                      persistent  JSON job config (ElasticJob "overwrite" semantics)
 * /{job}/instances/{instanceId}      ephemeral   one per running scheduler, restored on a new session
 * /{job}/leader/latch/member-NNNN    ephemeral+sequential  election candidates; lowest is leader
 * /{job}/sharding/assignment         persistent  JSON item -> {instance, epoch, failover}; leader-only writes
 * /{job}/running/{item}              ephemeral   the per-item run lock; never restored after a loss
 * /{job}/disabled/instances/{id}     persistent  instance disabled by an operator
 * /{job}/disabled/items/{item}       persistent  item disabled by an operator
 * /{job}/trigger                     persistent  manual trigger requests (data is a nonce)
 */
export class JobPaths {
  readonly root: string;
  readonly config: string;
  readonly instances: string;
  readonly latch: string;
  readonly latchMemberPrefix: string;
  readonly assignment: string;
  readonly running: string;
  readonly disabledInstances: string;
  readonly disabledItems: string;
  readonly trigger: string;

  constructor(readonly jobName: string) {
    this.root = `/${jobName}`;
    this.config = `${this.root}/config`;
    this.instances = `${this.root}/instances`;
    this.latch = `${this.root}/leader/latch`;
    this.latchMemberPrefix = `${this.latch}/member-`;
    this.assignment = `${this.root}/sharding/assignment`;
    this.running = `${this.root}/running`;
    this.disabledInstances = `${this.root}/disabled/instances`;
    this.disabledItems = `${this.root}/disabled/items`;
    this.trigger = `${this.root}/trigger`;
  }

  instance(instanceId: string): string {
    return `${this.instances}/${instanceId}`;
  }
  runningItem(item: number): string {
    return `${this.running}/${item}`;
  }
  disabledInstance(instanceId: string): string {
    return `${this.disabledInstances}/${instanceId}`;
  }
  disabledItem(item: number): string {
    return `${this.disabledItems}/${item}`;
  }
}
