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
  constructor(readonly jobName: string) {}

  get root(): string {
    return `/${this.jobName}`;
  }
  get config(): string {
    return `${this.root}/config`;
  }
  get instances(): string {
    return `${this.root}/instances`;
  }
  instance(instanceId: string): string {
    return `${this.instances}/${instanceId}`;
  }
  get latch(): string {
    return `${this.root}/leader/latch`;
  }
  get latchMemberPrefix(): string {
    return `${this.latch}/member-`;
  }
  get assignment(): string {
    return `${this.root}/sharding/assignment`;
  }
  get running(): string {
    return `${this.root}/running`;
  }
  runningItem(item: number): string {
    return `${this.running}/${item}`;
  }
  get disabledInstances(): string {
    return `${this.root}/disabled/instances`;
  }
  disabledInstance(instanceId: string): string {
    return `${this.disabledInstances}/${instanceId}`;
  }
  get disabledItems(): string {
    return `${this.root}/disabled/items`;
  }
  disabledItem(item: number): string {
    return `${this.disabledItems}/${item}`;
  }
  get trigger(): string {
    return `${this.root}/trigger`;
  }
}
