// Lesson 11: capstone — a segmented three-tier app built from a written spec: web reaches api,
// api reaches db, web must NOT reach db.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'networks',
      title: { en: 'Create front_net and back_net', ko: 'front_net과 back_net 만들기' },
      check: check.all(
        check.networkExists({ name: 'front_net', driver: 'bridge' }),
        check.networkExists({ name: 'back_net', driver: 'bridge' }),
      ),
      hints: [
        { en: 'Two user-defined bridges: one per segment.', ko: '구간마다 하나씩, 사용자 정의 브리지 두 개입니다.' },
        'docker network create front_net; docker network create back_net',
      ],
      solution: [
        { host: 'node1', run: 'docker network create front_net' },
        { host: 'node1', run: 'docker network create back_net' },
      ],
    },
    {
      id: 'tiers',
      title: { en: 'Place web, api and db on the right networks', ko: 'web, api, db를 알맞은 네트워크에 두기' },
      check: check.all(
        check.containerRunning({ name: 'web', network: 'front_net' }),
        check.containerRunning({ name: 'api', network: 'front_net' }),
        check.containerRunning({ name: 'api', network: 'back_net' }),
        check.containerRunning({ name: 'db', network: 'back_net' }),
        check.not(check.containerRunning({ name: 'web', network: 'back_net' }), { en: 'web must not be on back_net: the web tier never talks to the database directly.', ko: 'web 컨테이너는 back_net 네트워크에 있으면 안 됩니다. 웹 계층은 데이터베이스와 직접 통신하지 않습니다.' }),
        check.not(check.containerRunning({ name: 'db', network: 'front_net' }), { en: 'db must not be on front_net: keep the database off the public segment.', ko: 'db 컨테이너는 front_net 네트워크에 있으면 안 됩니다. 데이터베이스는 공개 구간에서 떼어 두세요.' }),
      ),
      hints: [
        { en: 'Only api sits on both networks. Start it on one and `docker network connect` it to the other.', ko: 'api만 두 네트워크에 모두 있습니다. 한쪽에서 시작하고 `docker network connect`로 다른 쪽에 연결하세요.' },
        'docker run -d --name api --network back_net nginx; docker network connect front_net api',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name db --network back_net nginx' },
        { host: 'node1', run: 'docker run -d --name api --network back_net nginx' },
        { host: 'node1', run: 'docker network connect front_net api' },
        { host: 'node1', run: 'docker run -d --name web --network front_net nginx' },
      ],
    },
    {
      id: 'traffic',
      title: { en: 'Prove the segmentation with real traffic', ko: '실제 트래픽으로 분리를 증명하기' },
      check: check.all(
        check.reaches({ from: 'web', to: 'api', via: 'http' }),
        check.reaches({ from: 'api', to: 'db', via: 'http' }),
        check.reaches({ from: 'web', toIpOf: { container: 'db', network: 'back_net' }, via: 'ping', expect: false }),
        check.resolves({ from: 'web', name: 'db', expect: false }),
      ),
      hints: [
        { en: 'From web, `curl -sI http://api/` must answer; from api, `curl -sI http://db/`; from web, db must neither resolve nor answer by IP.', ko: 'web에서 `curl -sI http://api/`가, api에서 `curl -sI http://db/`가 응답해야 합니다. web에서는 db에 이름으로도 IP로도 접근할 수 없어야 합니다.' },
        'docker exec web curl -sI http://api/; docker exec api curl -sI http://db/; docker exec web ping -c 1 -W 1 db',
      ],
      solution: [
        { host: 'node1', run: 'docker exec web curl -sI http://api/' },
        { host: 'node1', run: 'docker exec api curl -sI http://db/' },
      ],
    },
  ],
});
